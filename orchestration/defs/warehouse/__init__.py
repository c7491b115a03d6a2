"""The warehouse's two files, the writer lock and publishing; the resource every step
writes through; the key of the pseudonyms."""
