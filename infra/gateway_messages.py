"""Messages API Gateway gives in the apps' error shape (infra/constructs/api.py's gateway
responses), kept free of CDK so the local gateway (devstack/gateway.py) answers with the
same words."""

# API Gateway's own message for an unknown usage key is a bare "Forbidden".
NOT_METERED = ("This API key has no meter in the API's usage plan yet, so it cannot be used: try again "
               "in a minute; if it lasts, create a new key.")
