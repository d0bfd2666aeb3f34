# cmake --install: the programs, libfxclient (shared + static, with its
# headers under include/fx/, fxclient.pc and a CMake package), as CPack
# components (= Debian packages, cmake/package.cmake).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
set(FX_DIST ${CMAKE_BINARY_DIR}/dist)

install(TARGETS fx-core RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT fx-core)
install(TARGETS fx-bridge RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT fx-bridge)
install(TARGETS fxctl fx-tickgen RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT fx-tools)
install(TARGETS fxclient_shared
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT libfxclient NAMELINK_COMPONENT libfxclient-dev)

# The static library users link must hold what libfxclient's objects call in
# the tree's own static libraries (fxbase, fxnngtls, fxproto): one archive of them all.
add_custom_command(OUTPUT ${FX_DIST}/libfxclient.a
  COMMAND ${CMAKE_COMMAND} -E make_directory ${FX_DIST}
  COMMAND ${CMAKE_COMMAND} -E remove -f ${FX_DIST}/libfxclient.a
  COMMAND printf "create ${FX_DIST}/libfxclient.a\\naddlib $<TARGET_FILE:fxclient>\\naddlib $<TARGET_FILE:fxproto>\\naddlib $<TARGET_FILE:fxnngtls>\\naddlib $<TARGET_FILE:fxbase>\\nsave\\nend\\n" | ${CMAKE_AR} -M
  DEPENDS fxclient fxproto fxnngtls fxbase
  COMMENT "libfxclient.a with fxbase, fxnngtls and fxproto inside"
  VERBATIM)
add_custom_target(fxclient_dist_static ALL DEPENDS ${FX_DIST}/libfxclient.a)
install(FILES ${FX_DIST}/libfxclient.a DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT libfxclient-dev)
install(FILES client/include/fx/client.h base/include/fx/tick.h base/include/fx/limits.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/fx COMPONENT libfxclient-dev)

# Relocatable: the prefix is found from where the file lies.
file(RELATIVE_PATH FX_PC_TO_PREFIX /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root) # e.g. ../..
configure_file(cmake/fxclient.pc.in ${FX_DIST}/fxclient.pc @ONLY)
install(FILES ${FX_DIST}/fxclient.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT libfxclient-dev)

set(FX_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/fxclient)
file(RELATIVE_PATH FX_CONFIG_TO_PREFIX /root/${FX_CMAKE_DIR} /root) # e.g. ../../..
configure_file(cmake/fxclientConfig.cmake.in ${FX_DIST}/fxclientConfig.cmake @ONLY)
write_basic_package_version_file(${FX_DIST}/fxclientConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${FX_DIST}/fxclientConfig.cmake ${FX_DIST}/fxclientConfigVersion.cmake
  DESTINATION ${FX_CMAKE_DIR} COMPONENT libfxclient-dev)
