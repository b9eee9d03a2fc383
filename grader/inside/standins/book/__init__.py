"""Source files of the book-module stand-ins: read and run by standins.BookFinder, not imported."""
