"""Cognito's exceptions, named and worded as the deployed pool answers."""
from __future__ import annotations

from moto.core.exceptions import JsonRESTError


class _CognitoError(JsonRESTError):
    error_type = ""

    def __init__(self, message: str) -> None:
        super().__init__(self.error_type, message)


class InvalidPasswordException(_CognitoError):
    error_type = "InvalidPasswordException"


class NotAuthorizedException(_CognitoError):
    error_type = "NotAuthorizedException"


class UserNotConfirmedException(_CognitoError):
    error_type = "UserNotConfirmedException"


class UserNotFoundException(_CognitoError):
    error_type = "UserNotFoundException"


class CodeMismatchException(_CognitoError):
    error_type = "CodeMismatchException"


class ExpiredCodeException(_CognitoError):
    error_type = "ExpiredCodeException"


class InvalidParameterException(_CognitoError):
    error_type = "InvalidParameterException"


class PasswordResetRequiredException(_CognitoError):
    error_type = "PasswordResetRequiredException"


class ResourceNotFoundException(_CognitoError):
    error_type = "ResourceNotFoundException"


class UsernameExistsException(_CognitoError):
    error_type = "UsernameExistsException"


class UnsupportedUserStateException(_CognitoError):
    error_type = "UnsupportedUserStateException"


INCORRECT = "Incorrect username or password."
CODE_MISMATCH = "Invalid verification code provided, please try again."
CODE_EXPIRED = "Invalid code provided, please request a code again."


def incorrect() -> NotAuthorizedException:
    return NotAuthorizedException(INCORRECT)


class UserLambdaValidationException(_CognitoError):
    """A trigger's function refused: its error message, as Cognito words it."""

    error_type = "UserLambdaValidationException"


class UnexpectedLambdaException(_CognitoError):
    """A trigger's function could not be run, or answered nothing Cognito can read."""

    error_type = "UnexpectedLambdaException"
