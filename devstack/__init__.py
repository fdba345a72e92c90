"""The local stack behind `make dev` and the end-to-end tests.

moto in server mode stands in for AWS (reached over real HTTP by the real boto3 and
PynamoDB clients), and a local gateway serves every function's Chalice routes on one
port under the paths API Gateway uses. Production differs only in endpoints and
credentials.
"""
