# kernel_to_cpp.cmake: turns one native/kernels/*.cu into a host C++ translation unit for the emulator.
#   cmake -DIN=<kernel.cu> -DOUT=<generated.cpp> -P kernel_to_cpp.cmake
# The source is kept as written; two things change: dynamic shared memory declarations
#   extern __shared__ T name[];   ->   T* const name = static_cast<T*>(initcore_emu::dynamic_shared());
# (valid inside a kernel body, where our sources declare it), and each extern "C" __global__ entry is
# registered by name (INITCORE_EMU_REGISTER) so cuLaunchKernel can find it.
file(READ "${IN}" src)
string(REGEX REPLACE "extern[ \t]+__shared__[ \t]+([A-Za-z_][A-Za-z0-9_ \t]*[A-Za-z0-9_])[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*\\[[ \t]*\\][ \t]*;"
       "\\1* const \\2 = static_cast<\\1*>(initcore_emu::dynamic_shared());" src "${src}")
string(REGEX MATCHALL "extern[ \t]+\"C\"[ \t]+__global__[ \t]+void[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*\\(" entries "${src}")
set(reg "")
foreach(e IN LISTS entries)
  string(REGEX REPLACE ".*void[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*\\($" "\\1" name "${e}")
  string(APPEND reg "INITCORE_EMU_REGISTER(${name})\n")
endforeach()
get_filename_component(base "${IN}" NAME)
set(text "// Generated from native/kernels/${base} by native/emulator/cmake/kernel_to_cpp.cmake: do not edit.\n#include \"cuda_shim.h\"\n#line 1 \"${IN}\"\n${src}\n// registration\n${reg}")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
  if(old STREQUAL text)
    return()
  endif()
endif()
file(WRITE "${OUT}" "${text}")
