"""Errors a user can act on. The CLI prints them as `Error: …` and exits 1."""


class UserError(Exception):
    """A problem in the user's input: says where (file, line) and what to do."""

    def __init__(self, message: str, path=None, line: int | None = None, hint: str | None = None):
        self.message, self.path, self.line, self.hint = message, path, line, hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f" in {self.path}" + (f" line {self.line}" if self.line else "")
        return f"{self.message}{where}" + (f" — {self.hint}" if self.hint else "")


class UserErrors(UserError):
    """Several problems found at once (e.g. by `monitor check`)."""

    def __init__(self, errors: list[UserError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
