"""The pool function's routes, grouped by what they manage; app.py imports every module,
so each registers its routes on the one app (pool_api.web.app)."""
