"""Errors a user can act on; front ends print their message, never a traceback."""


class BusanBotError(Exception):
    """Base for errors with a message meant for the person at the keyboard."""


class ConfigError(BusanBotError):
    pass


class CorpusError(BusanBotError):
    pass


class ModelError(BusanBotError):
    pass


class IndexError_(BusanBotError):
    """Index missing, corrupt, locked or unusable (named so as not to shadow IndexError)."""


class InputError(BusanBotError):
    pass


class QuestionError(InputError):
    """A question that cannot be asked as it is; front ends word ``reason`` in ``lang``."""

    def __init__(self, message: str, reason: str, lang: str = "vi", length: int = 0, limit: int = 0):
        super().__init__(message)
        self.reason = reason  # "empty" or "too_long"
        self.lang = lang
        self.length = length
        self.limit = limit
