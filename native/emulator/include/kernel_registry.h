// kernel_registry.h: host-compiled kernels register themselves by their extern "C" name, with the
// size of each parameter and whether it is a pointer (device address), so cuLaunchKernel can check
// a launch against the PTX's .param list and marshal kernelParams into a typed call.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace initcore_emu {

struct HostKernel {
    std::string name;
    std::vector<size_t> param_sizes;
    std::vector<bool> param_is_pointer;
    // Copies the arguments out of kernelParams (as cuLaunchKernel does at launch time).
    std::function<std::shared_ptr<void>(void** params)> pack;
    // Runs the kernel body for the current CUDA thread with the packed arguments.
    std::function<void(void* packed)> run;
};

void register_kernel(HostKernel kernel);

template <typename... A, size_t... I>
std::shared_ptr<void> pack_args(void** params, std::index_sequence<I...>)
{
    using Tuple = std::tuple<std::decay_t<A>...>;
    return std::make_shared<Tuple>(*static_cast<std::decay_t<A>*>(params[I])...);
}

template <typename... A>
struct Registrar {
    Registrar(const char* name, void (*fn)(A...))
    {
        HostKernel k;
        k.name = name;
        k.param_sizes = {sizeof(std::decay_t<A>)...};
        k.param_is_pointer = {std::is_pointer<std::decay_t<A>>::value...};
        k.pack = [](void** params) { return pack_args<A...>(params, std::index_sequence_for<A...>{}); };
        k.run = [fn](void* packed) {
            using Tuple = std::tuple<std::decay_t<A>...>;
            std::apply(fn, *static_cast<Tuple*>(packed));
        };
        register_kernel(std::move(k));
    }
};

template <typename... A>
Registrar<A...> make_registrar(const char* name, void (*fn)(A...)) { return Registrar<A...>(name, fn); }

} // namespace initcore_emu

#define INITCORE_EMU_REGISTER(name) \
    static const auto initcore_emu_registrar_##name = initcore_emu::make_registrar(#name, &name);
