//! The SQLite case file: schema, migrations, writer sink, reader.
