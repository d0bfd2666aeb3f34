# Writes OUT: a C file defining `const char NAME[]` with the bytes of IN and a
# terminating NUL (for documents served as they are, e.g. openapi.json).
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT} "/* Generated from ${IN} by cmake/embed_file.cmake. Do not edit. */\nconst char ${NAME}[] = {${bytes}0x00};\n")
