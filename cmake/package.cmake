# cpack -G DEB: one Debian package per install component (cmake/install.cmake),
# runtime dependencies found by dpkg-shlibdeps. Build them from a Release
# build: cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release
# -DCMAKE_INSTALL_PREFIX=/usr -DFX_BUILD_TESTS=OFF && cmake --build
# build-release && (cd build-release && cpack -G DEB)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fxohlc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "fxohlc maintainers <maintainers@fxohlc.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Real-time FX ticks and OHLC candles")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_COMPONENTS_ALL fx-core fx-bridge fx-tools libfxclient libfxclient-dev)

set(CPACK_DEBIAN_FX-CORE_PACKAGE_NAME fx-core)
set(CPACK_COMPONENT_FX-CORE_DESCRIPTION "fxohlc core: stores ticks in PostgreSQL, keeps candles, serves RPC and the live feed")
set(CPACK_DEBIAN_FX-CORE_PACKAGE_SUGGESTS "postgresql-15, redis-server")
set(CPACK_DEBIAN_FX-BRIDGE_PACKAGE_NAME fx-bridge)
set(CPACK_COMPONENT_FX-BRIDGE_DESCRIPTION "fxohlc bridge: JSON REST and WebSocket in front of the cores")
set(CPACK_DEBIAN_FX-TOOLS_PACKAGE_NAME fx-tools)
set(CPACK_COMPONENT_FX-TOOLS_DESCRIPTION "fxohlc tools: fxctl (ticks, candles, imports) and fx-tickgen (demo and replay feeds)")
set(CPACK_DEBIAN_LIBFXCLIENT_PACKAGE_NAME libfxclient0)
set(CPACK_DEBIAN_LIBFXCLIENT_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_LIBFXCLIENT_PACKAGE_GENERATE_SHLIBS ON) # shlibs file and the ldconfig trigger
set(CPACK_COMPONENT_LIBFXCLIENT_DESCRIPTION "C client library of fxohlc's fx-core (shared library)")
set(CPACK_DEBIAN_LIBFXCLIENT-DEV_PACKAGE_NAME libfxclient-dev)
set(CPACK_DEBIAN_LIBFXCLIENT-DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_LIBFXCLIENT-DEV_DESCRIPTION
  "C client library of fxohlc's fx-core: headers, static library, pkg-config file, CMake package")
# The static library needs nng and protobuf-c at link time.
set(CPACK_DEBIAN_LIBFXCLIENT-DEV_PACKAGE_DEPENDS "libfxclient0 (= ${PROJECT_VERSION}), libnng-dev, libprotobuf-c-dev")
include(CPack)
