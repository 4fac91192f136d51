# Writes OUT (a header with TINYC_GIT_REVISION) at build time, only when the revision changed, so
# that `tinyc --version` names the commit it was built from (run by the tinyc_version target).
#   cmake -DSRC=<source dir> -DOUT=<header> -P version.cmake
set(rev "unknown")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS "${SRC}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SRC}" rev-parse --short=12 HEAD
                  OUTPUT_VARIABLE head RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(rc EQUAL 0 AND head)
    set(rev "${head}")
    execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SRC}" status --porcelain --untracked-files=no
                    OUTPUT_VARIABLE dirty RESULT_VARIABLE rc2 ERROR_QUIET)
    if(rc2 EQUAL 0 AND NOT dirty STREQUAL "")
      set(rev "${rev}-dirty")
    endif()
  endif()
elseif(DEFINED ENV{TINYC_GIT_REVISION})
  set(rev "$ENV{TINYC_GIT_REVISION}")
endif()
set(text "#define TINYC_GIT_REVISION \"${rev}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
