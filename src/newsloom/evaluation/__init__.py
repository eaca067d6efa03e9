"""Quality measurements on benchmark data (`newsloom eval ...`)."""
