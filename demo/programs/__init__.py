"""One module per demo program, each a ``ProgramBuilder`` that sets the program's parameters
and builds it with the shared machinery of ``demo.builder``; ``regional`` holds the generated
programs of the larger scales."""


class HeadlineChoice:
    """Mixed into a program's builder: the key figures its funder asks for on the report's
    first page (keys of ``reports.indicators``), stored with the program."""

    headline_indicators: tuple[str, ...] = ()

    def create_program(self):
        super().create_program()
        self.program.headline_indicators = list(self.headline_indicators)
        self.program.save(update_fields=["headline_indicators"])
