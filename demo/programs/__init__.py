"""One module per demo program, each a ``ProgramBuilder`` that sets the program's parameters
and builds it with the shared machinery of ``demo.builder``; ``regional`` holds the generated
programs of the larger scales."""
