"""The `jixiao` command line: `main` builds the parser; one module per command group
(cycle, export, review, web, corpus); `common` holds output, exit codes and the database loader."""
