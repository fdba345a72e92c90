"""JSON Schemas of the account routes' bodies (checked by RingbackApp.valid_body)."""
from ringback.accounts.tenants import KEY_ACCESS, ROLES

INVITATION = {
    "type": "object", "additionalProperties": False, "required": ["email", "role"],
    "properties": {"email": {"type": "string", "minLength": 3, "maxLength": 320},
                   "role": {"type": "string", "enum": list(ROLES)}},
}
ROLE_CHANGE = {
    "type": "object", "additionalProperties": False, "required": ["role"],
    "properties": {"role": {"type": "string", "enum": list(ROLES)}},
}
API_KEY = {
    "type": "object", "additionalProperties": False, "required": ["name", "access"],
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100},
                   "access": {"type": "string", "enum": list(KEY_ACCESS)}},
}
CLIENT = {
    "type": "object", "additionalProperties": False, "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200}},
}
