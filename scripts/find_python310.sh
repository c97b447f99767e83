#!/usr/bin/env bash
# Print the path of a working Python 3.10 (Rasa 3.6 needs 3.8-3.10; the machine default is newer).
for candidate in python3.10 "$(pyenv root 2>/dev/null)"/versions/3.10*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
  if path=$(command -v "$candidate" 2>/dev/null) && "$path" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "$path"
    exit 0
  fi
done
echo "No Python 3.10 found; install it (e.g. 'pyenv install 3.10') and run make again." >&2
exit 1
