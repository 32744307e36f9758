// runtime.cpp: runs host-compiled kernels. A launch runs on the calling thread, block after block,
// one launch at a time in the process (a lock; so kernel globals need no thread-local storage);
// inside a block each CUDA thread is a fiber with its own small stack, resumed round-robin by the
// block scheduler. A fiber runs until it exits or calls __syncthreads(); the scheduler resumes it
// again only after every other live fiber of the block has had its turn, so __syncthreads() is a real
// barrier. Context switches are a few instructions (x86-64 assembly; ucontext elsewhere), so a
// 256-thread block costs microseconds, with no OS threads.
#include "core.h"
#include "../include/cuda_shim.h"

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

namespace initcore_emu {

dim3 t_threadIdx, t_blockIdx, t_blockDim, t_gridDim;
static std::mutex g_launch_mutex; // one launch at a time in the process

// ------------------------------------------------------------------ registry

static std::map<std::string, HostKernel>& registry()
{
    static std::map<std::string, HostKernel> r;
    return r;
}

void register_kernel(HostKernel kernel)
{
    std::string name = kernel.name;
    registry()[name] = std::move(kernel);
}

const HostKernel* find_kernel(const std::string& name)
{
    auto it = registry().find(name);
    return it == registry().end() ? nullptr : &it->second;
}

const std::vector<size_t>* kernel_param_sizes(const std::string& name)
{
    const HostKernel* k = find_kernel(name);
    return k ? &k->param_sizes : nullptr;
}

// ------------------------------------------------------------------ fibers

#if defined(__x86_64__)
extern "C" void initcore_emu_switch(void** save_sp, void* new_sp);
asm(R"(
    .text
    .p2align 4
    .type initcore_emu_switch,@function
initcore_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size initcore_emu_switch, .-initcore_emu_switch
)");
#endif

namespace {

constexpr size_t kStackBytes = 64 * 1024;
constexpr size_t kGuardBytes = 4096;

struct Fiber {
    char* stack = nullptr;  // guard page + stack
#if defined(__x86_64__)
    void* sp = nullptr;
#else
    ucontext_t ctx;
#endif
    bool done = false;
};

struct BlockRun {
    const HostKernel* kernel = nullptr;
    void* packed = nullptr;
    std::vector<Fiber> fibers;
    size_t current = 0;
#if defined(__x86_64__)
    void* scheduler_sp = nullptr;
#else
    ucontext_t scheduler;
#endif
    std::vector<char> dynamic_shared;
    bool in_block = false;
};

BlockRun t_run; // guarded by g_launch_mutex
thread_local bool t_in_launch = false;

[[noreturn]] void fiber_main()
{
    BlockRun& r = t_run;
    r.kernel->run(r.packed);
    Fiber& f = r.fibers[r.current];
    f.done = true;
#if defined(__x86_64__)
    initcore_emu_switch(&f.sp, r.scheduler_sp);
#else
    swapcontext(&f.ctx, &r.scheduler);
#endif
    std::abort(); // a finished fiber is never resumed
}

#if !defined(__x86_64__)
void fiber_trampoline() { fiber_main(); }
#endif

void ensure_fibers(size_t count)
{
    BlockRun& r = t_run;
    while (r.fibers.size() < count) {
        Fiber f;
        void* p = mmap(nullptr, kStackBytes + kGuardBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            std::fprintf(stderr, "[initcore-emu] cannot map a fiber stack\n");
            std::abort();
        }
        mprotect(p, kGuardBytes, PROT_NONE); // stack overflow faults instead of corrupting a neighbour
        f.stack = static_cast<char*>(p);
        r.fibers.push_back(f);
    }
}

void start_fiber(Fiber& f)
{
    f.done = false;
#if defined(__x86_64__)
    uintptr_t top = reinterpret_cast<uintptr_t>(f.stack + kGuardBytes + kStackBytes) & ~(uintptr_t)15;
    uint64_t* sp = reinterpret_cast<uint64_t*>(top);
    *--sp = 0;                                                    // alignment: entry sees rsp ≡ 8 (mod 16)
    *--sp = reinterpret_cast<uint64_t>(&fiber_main);              // return address of the first switch
    for (int i = 0; i < 6; ++i) *--sp = 0;                        // rbp rbx r12 r13 r14 r15
    uint32_t mxcsr;
    uint16_t fpucw;
    asm volatile("stmxcsr %0" : "=m"(mxcsr));
    asm volatile("fnstcw %0" : "=m"(fpucw));
    --sp;
    std::memcpy(reinterpret_cast<char*>(sp), &mxcsr, 4);
    std::memcpy(reinterpret_cast<char*>(sp) + 4, &fpucw, 2);
    f.sp = sp;
#else
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = f.stack + kGuardBytes;
    f.ctx.uc_stack.ss_size = kStackBytes;
    f.ctx.uc_link = nullptr;
    makecontext(&f.ctx, fiber_trampoline, 0);
#endif
}

void resume(BlockRun& r, size_t i)
{
    r.current = i;
    t_threadIdx = dim3{(unsigned)(i % t_blockDim.x), (unsigned)(i / t_blockDim.x % t_blockDim.y), (unsigned)(i / (t_blockDim.x * t_blockDim.y))};
#if defined(__x86_64__)
    initcore_emu_switch(&r.scheduler_sp, r.fibers[i].sp);
#else
    swapcontext(&r.scheduler, &r.fibers[i].ctx);
#endif
}

} // namespace

void* dynamic_shared() { return t_run.dynamic_shared.data(); }

void syncthreads()
{
    BlockRun& r = t_run;
    if (!r.in_block) {
        std::fprintf(stderr, "[initcore-emu] __syncthreads() outside a kernel\n");
        std::abort();
    }
    Fiber& f = r.fibers[r.current];
#if defined(__x86_64__)
    initcore_emu_switch(&f.sp, r.scheduler_sp);
#else
    swapcontext(&f.ctx, &r.scheduler);
#endif
}

int run_kernel(const HostKernel& kernel, const unsigned grid[3], const unsigned block[3], unsigned shared_bytes, void** params)
{
    std::unique_lock<std::mutex> lock(g_launch_mutex, std::try_to_lock);
    if (!lock.owns_lock()) {
        if (t_run.in_block && t_in_launch) return 1; // a kernel cannot launch a kernel here
        lock.lock();
    }
    t_in_launch = true;
    BlockRun& r = t_run;
    std::shared_ptr<void> packed = kernel.pack(params);
    size_t threads = (size_t)block[0] * block[1] * block[2];
    ensure_fibers(threads);
    r.kernel = &kernel;
    r.packed = packed.get();
    r.dynamic_shared.assign(shared_bytes + 16, 0);
    r.in_block = true;
    t_gridDim = dim3{grid[0], grid[1], grid[2]};
    t_blockDim = dim3{block[0], block[1], block[2]};
    for (unsigned bz = 0; bz < grid[2]; ++bz)
        for (unsigned by = 0; by < grid[1]; ++by)
            for (unsigned bx = 0; bx < grid[0]; ++bx) {
                t_blockIdx = dim3{bx, by, bz};
                // A block's dynamic shared memory starts as garbage, as on a GPU: a kernel that reads it
                // before writing it sees 0xCD bytes (large integers, negative float -4.3e8), not zeros.
                if (shared_bytes > 0) std::memset(r.dynamic_shared.data(), 0xCD, shared_bytes);
                for (size_t i = 0; i < threads; ++i) start_fiber(r.fibers[i]);
                size_t live = threads;
                while (live > 0) {
                    live = 0;
                    for (size_t i = 0; i < threads; ++i) {
                        if (r.fibers[i].done) continue;
                        resume(r, i);
                        if (!r.fibers[i].done) ++live;
                    }
                }
            }
    r.in_block = false;
    t_in_launch = false;
    r.kernel = nullptr;
    r.packed = nullptr;
    return 0;
}

} // namespace initcore_emu
