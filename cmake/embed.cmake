# fx_embed_file(SRC NAME OUT): generates OUT, a C file defining
# `const char NAME[]` with the bytes of SRC (relative to the source root),
# served as they are (the OpenAPI document, the demo page).
function(fx_embed_file src name out)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DIN=${CMAKE_SOURCE_DIR}/${src} -DOUT=${out} -DNAME=${name}
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_file.cmake
    DEPENDS ${CMAKE_SOURCE_DIR}/${src} ${CMAKE_SOURCE_DIR}/cmake/embed_file.cmake
    COMMENT "embedding ${src}")
endfunction()
