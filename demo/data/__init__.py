"""The constant tables of the demo data; nothing here reads or writes the database."""
