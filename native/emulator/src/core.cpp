// core.cpp: device memory, context state, fault injection and the PTX parser of the emulated device.
#include "core.h"

#include <sys/mman.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

namespace initcore_emu {

// ------------------------------------------------------------------ diagnostics

static thread_local std::string t_last_error;

void set_last_error(const std::string& message)
{
    t_last_error = message;
    const char* v = std::getenv("INITCORE_EMU_VERBOSE");
    if (v != nullptr && v[0] == '1') std::fprintf(stderr, "[initcore-emu] %s\n", message.c_str());
}

// ------------------------------------------------------------------ memory

namespace {
constexpr size_t kAlign = 256;
std::mutex g_mem_mutex;
char* g_base = nullptr;
size_t g_size = 0;
std::map<uint64_t, size_t> g_live;   // start -> requested bytes
std::map<uint64_t, size_t> g_sizes;  // start -> reserved bytes (multiple of kAlign)
std::map<uint64_t, size_t> g_free;   // start -> bytes, coalesced
size_t g_used = 0;

size_t round_up(size_t n, size_t a) { return (n + a - 1) / a * a; }
} // namespace

bool memory_init()
{
    std::lock_guard<std::mutex> lock(g_mem_mutex);
    if (g_base != nullptr) return true;
    long mb = env_int("INITCORE_EMU_MEMORY_MB", 2048);
    if (mb < 64) mb = 64;
    size_t size = (size_t)mb << 20;
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return false;
    g_base = static_cast<char*>(p);
    g_size = size;
    g_free[(uint64_t)(uintptr_t)g_base] = size;
    return true;
}

int mem_alloc(uint64_t* ptr, size_t bytes)
{
    std::lock_guard<std::mutex> lock(g_mem_mutex);
    if (bytes > g_size) return 2; // CUDA_ERROR_OUT_OF_MEMORY
    size_t need = round_up(bytes, kAlign);
    for (auto it = g_free.begin(); it != g_free.end(); ++it) {
        if (it->second < need) continue;
        uint64_t start = it->first;
        size_t rest = it->second - need;
        g_free.erase(it);
        if (rest > 0) g_free[start + need] = rest;
        g_live[start] = bytes;
        g_sizes[start] = need;
        g_used += need;
        *ptr = start;
        return 0;
    }
    return 2;
}

int mem_free(uint64_t ptr)
{
    std::lock_guard<std::mutex> lock(g_mem_mutex);
    auto it = g_sizes.find(ptr);
    if (it == g_sizes.end()) return 1; // CUDA_ERROR_INVALID_VALUE: not the start of a live allocation
    size_t size = it->second;
    g_sizes.erase(it);
    g_live.erase(ptr);
    g_used -= size;
    // Give large freed ranges' pages back to the OS (the region is reserved, not committed).
    if (size >= (1u << 20)) {
        uint64_t a = round_up(ptr, 4096), b = (ptr + size) & ~(uint64_t)4095;
        if (b > a) madvise(reinterpret_cast<void*>(a), b - a, MADV_DONTNEED);
    }
    uint64_t start = ptr;
    auto next = g_free.lower_bound(start);
    if (next != g_free.end() && start + size == next->first) {
        size += next->second;
        next = g_free.erase(next);
    }
    if (next != g_free.begin()) {
        auto prev = std::prev(next);
        if (prev->first + prev->second == start) {
            prev->second += size;
            return 0;
        }
    }
    g_free[start] = size;
    return 0;
}

void mem_info(size_t* free_bytes, size_t* total_bytes)
{
    std::lock_guard<std::mutex> lock(g_mem_mutex);
    if (free_bytes) *free_bytes = g_size - g_used;
    if (total_bytes) *total_bytes = g_size;
}

bool device_range(uint64_t ptr, size_t bytes)
{
    std::lock_guard<std::mutex> lock(g_mem_mutex);
    auto it = g_live.upper_bound(ptr);
    if (it == g_live.begin()) return false;
    --it;
    uint64_t start = it->first, end = start + it->second;
    if (ptr < start || ptr > end) return false;
    return bytes <= end - ptr;
}

bool in_device_region(const void* p)
{
    const char* c = static_cast<const char*>(p);
    return g_base != nullptr && c >= g_base && c < g_base + g_size;
}

// ------------------------------------------------------------------ context state

namespace {
std::atomic<bool> g_initialized{false};
std::atomic<int> g_sticky{0};
std::mutex g_stream_mutex;
std::set<void*> g_streams;
} // namespace

bool initialized() { return g_initialized.load(); }
void set_initialized() { g_initialized.store(true); }
int sticky_error() { return g_sticky.load(); }
void poison(int status)
{
    int expected = 0;
    g_sticky.compare_exchange_strong(expected, status);
}

void clear_poison() { g_sticky.store(0); }

void* stream_create()
{
    std::lock_guard<std::mutex> lock(g_stream_mutex);
    void* s = std::malloc(16);
    g_streams.insert(s);
    return s;
}

bool stream_destroy(void* stream)
{
    std::lock_guard<std::mutex> lock(g_stream_mutex);
    if (g_streams.erase(stream) == 0) return false;
    std::free(stream);
    return true;
}

bool valid_stream(void* stream)
{
    if (stream == nullptr || stream == reinterpret_cast<void*>(1) || stream == reinterpret_cast<void*>(2)) return true; // default, legacy, per-thread
    std::lock_guard<std::mutex> lock(g_stream_mutex);
    return g_streams.count(stream) != 0;
}

// ------------------------------------------------------------------ fault injection

namespace {
struct FaultCounter {
    std::string value;
    long count = 0;
};
std::mutex g_fault_mutex;
std::unordered_map<std::string, FaultCounter> g_faults;
} // namespace

long env_int(const char* variable, long fallback)
{
    const char* v = std::getenv(variable);
    if (v == nullptr || *v == 0) return fallback;
    char* end = nullptr;
    long n = std::strtol(v, &end, 10);
    return end != nullptr && *end == 0 ? n : fallback;
}

bool fault_hits(const char* variable)
{
    std::lock_guard<std::mutex> lock(g_fault_mutex);
    const char* v = std::getenv(variable);
    std::string value = v == nullptr ? std::string() : std::string(v);
    FaultCounter& c = g_faults[variable];
    if (c.value != value) {
        c.value = value;
        c.count = 0;
    }
    long n = env_int(variable, 0);
    if (n <= 0) return false;
    c.count += 1;
    return c.count == n;
}

// ------------------------------------------------------------------ PTX

namespace {

size_t type_size(const std::string& t)
{
    if (t == ".u8" || t == ".s8" || t == ".b8") return 1;
    if (t == ".u16" || t == ".s16" || t == ".b16" || t == ".f16") return 2;
    if (t == ".u32" || t == ".s32" || t == ".b32" || t == ".f32") return 4;
    if (t == ".u64" || t == ".s64" || t == ".b64" || t == ".f64") return 8;
    return 0;
}

std::vector<std::string> tokens(const std::string& s)
{
    std::vector<std::string> out;
    std::string cur;
    for (char ch : s) {
        if (std::isspace((unsigned char)ch) || ch == ',' || ch == ';') {
            if (!cur.empty()) out.push_back(cur), cur.clear();
        } else {
            cur += ch;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

// ".shared .align 8 .b8 name[10240]" -> (name, bytes)
bool shared_decl(const std::string& line, std::string& name, size_t& bytes, bool& dynamic)
{
    std::vector<std::string> t = tokens(line);
    size_t i = 0;
    dynamic = false;
    if (i < t.size() && t[i] == ".extern") dynamic = true, ++i;
    if (i < t.size() && (t[i] == ".visible" || t[i] == ".global")) ++i;
    if (i >= t.size() || t[i] != ".shared") return false;
    size_t elem = 0;
    for (++i; i < t.size(); ++i) {
        if (t[i] == ".align") { ++i; continue; }
        if (t[i][0] == '.') { elem = type_size(t[i]); continue; }
        std::string decl = t[i];
        size_t lb = decl.find('[');
        name = decl.substr(0, lb);
        size_t count = 1;
        if (lb != std::string::npos) {
            std::string n = decl.substr(lb + 1, decl.find(']') - lb - 1);
            count = n.empty() ? 0 : std::strtoull(n.c_str(), nullptr, 10);
        }
        bytes = elem * count;
        return true;
    }
    return false;
}

bool contains_word(const std::string& body, const std::string& word)
{
    size_t pos = 0;
    while ((pos = body.find(word, pos)) != std::string::npos) {
        bool left = pos == 0 || !(std::isalnum((unsigned char)body[pos - 1]) || body[pos - 1] == '_' || body[pos - 1] == '$');
        size_t e = pos + word.size();
        bool right = e >= body.size() || !(std::isalnum((unsigned char)body[e]) || body[e] == '_' || body[e] == '$');
        if (left && right) return true;
        pos = e;
    }
    return false;
}

} // namespace

bool parse_ptx(const char* text, std::vector<PtxEntry>& entries, std::string& error)
{
    std::string s(text);
    if (s.find(".version") == std::string::npos || s.find(".target") == std::string::npos) {
        error = "not PTX text: no .version and .target directives";
        return false;
    }
    // Module-level shared declarations, and every function's (entry or .func) body.
    std::map<std::string, size_t> module_shared;
    struct Fn { std::string name, body, text; bool entry; std::vector<PtxParam> params; };
    std::vector<Fn> fns;
    size_t pos = 0;
    int depth = 0;
    while (pos < s.size()) {
        size_t eol = s.find('\n', pos);
        if (eol == std::string::npos) eol = s.size();
        std::string line = s.substr(pos, eol - pos);
        std::vector<std::string> t = tokens(line);
        bool is_entry = false, is_func = false;
        for (const std::string& w : t) {
            if (w == ".entry") is_entry = true;
            if (w == ".func") is_func = true;
        }
        if (depth == 0 && (is_entry || is_func)) {
            // Header up to the matching ')' (if any), then the body in braces (declarations end with ';').
            size_t open = s.find('(', pos);
            size_t brace = s.find('{', pos), semi = s.find(';', pos);
            if (semi != std::string::npos && (brace == std::string::npos || semi < brace)) { pos = semi + 1; continue; }
            if (brace == std::string::npos) { error = "unterminated function at: " + line; return false; }
            Fn fn;
            fn.entry = is_entry;
            std::string header = s.substr(pos, brace - pos);
            // For .func, a return list "( .param ... )" may precede the name; the name is the identifier before the last '(' list.
            size_t name_end = open != std::string::npos && open < brace ? open : brace;
            if (is_func) {
                size_t close = header.find(')');
                if (header.find('(') != std::string::npos && close != std::string::npos) {
                    size_t next_open = header.find('(', close);
                    if (next_open != std::string::npos) name_end = pos + next_open;
                }
            }
            std::string before = s.substr(pos, name_end - pos);
            std::vector<std::string> bt = tokens(before);
            fn.name = bt.empty() ? "" : bt.back();
            if (is_entry) {
                if (open == std::string::npos || open > brace) { error = "entry " + fn.name + " has no parameter list"; return false; }
                size_t close = s.find(')', open);
                if (close == std::string::npos || close > brace) { error = "entry " + fn.name + ": unterminated parameter list"; return false; }
                std::string plist = s.substr(open + 1, close - open - 1);
                size_t p = 0;
                while (p < plist.size()) {
                    size_t c = plist.find(',', p);
                    if (c == std::string::npos) c = plist.size();
                    std::vector<std::string> pt = tokens(plist.substr(p, c - p));
                    p = c + 1;
                    if (pt.empty()) continue;
                    if (pt[0] != ".param") { error = "entry " + fn.name + ": malformed parameter '" + pt[0] + "'"; return false; }
                    size_t elem = 0;
                    std::string decl;
                    for (size_t i = 1; i < pt.size(); ++i) {
                        if (pt[i] == ".align") { ++i; continue; }
                        if (pt[i] == ".ptr" || pt[i] == ".global" || pt[i] == ".const" || pt[i] == ".local" || pt[i] == ".shared") continue;
                        if (pt[i][0] == '.') { if (type_size(pt[i])) elem = type_size(pt[i]); continue; }
                        decl = pt[i];
                    }
                    if (elem == 0 || decl.empty()) { error = "entry " + fn.name + ": cannot size parameter in '" + plist.substr(0, 80) + "'"; return false; }
                    size_t count = 1, lb = decl.find('[');
                    if (lb != std::string::npos) count = std::strtoull(decl.c_str() + lb + 1, nullptr, 10);
                    fn.params.push_back(PtxParam{decl.substr(0, lb), elem * count});
                }
            }
            // Body: brace matching.
            size_t b = brace;
            int d = 0;
            for (; b < s.size(); ++b) {
                if (s[b] == '{') ++d;
                else if (s[b] == '}' && --d == 0) break;
            }
            if (b >= s.size()) { error = "function " + fn.name + ": unbalanced braces"; return false; }
            fn.body = s.substr(brace, b - brace + 1);
            fn.text = s.substr(pos, b + 1 - pos);
            fns.push_back(fn);
            pos = b + 1;
            continue;
        }
        if (depth == 0) {
            std::string name;
            size_t bytes = 0;
            bool dynamic = false;
            if (shared_decl(line, name, bytes, dynamic) && !dynamic) module_shared[name] = bytes;
        }
        pos = eol + 1;
    }
    for (const Fn& fn : fns) {
        if (!fn.entry) continue;
        PtxEntry e;
        e.name = fn.name;
        e.text = fn.text;
        e.params = fn.params;
        // The entry and, transitively, the functions it calls.
        std::vector<const Fn*> reach{&fn};
        std::set<std::string> seen{fn.name};
        for (size_t i = 0; i < reach.size(); ++i)
            for (const Fn& g : fns)
                if (!g.entry && !seen.count(g.name) && contains_word(reach[i]->body, g.name)) { seen.insert(g.name); reach.push_back(&g); }
        std::set<std::string> counted;
        for (const Fn* r : reach) {
            if (r->body.find("bar.sync") != std::string::npos || r->body.find("barrier.sync") != std::string::npos ||
                r->body.find("bar.red") != std::string::npos) e.uses_barrier = true;
            size_t p = 0;
            while (p < r->body.size()) {
                size_t eol = r->body.find('\n', p);
                if (eol == std::string::npos) eol = r->body.size();
                std::string name;
                size_t bytes = 0;
                bool dynamic = false;
                if (shared_decl(r->body.substr(p, eol - p), name, bytes, dynamic) && !dynamic) e.static_shared += bytes;
                p = eol + 1;
            }
            for (const auto& m : module_shared)
                if (!counted.count(m.first) && contains_word(r->body, m.first)) { counted.insert(m.first); e.static_shared += m.second; }
        }
        entries.push_back(e);
    }
    if (entries.empty()) {
        error = "the PTX declares no .entry";
        return false;
    }
    return true;
}

extern const char* const kBuiltPtx[];
extern const size_t kBuiltPtxCount;

const PtxEntry* built_entry(const std::string& name)
{
    static const std::map<std::string, PtxEntry> built = [] {
        std::map<std::string, PtxEntry> m;
        for (size_t i = 0; i < kBuiltPtxCount; ++i) {
            std::vector<PtxEntry> entries;
            std::string error;
            if (parse_ptx(kBuiltPtx[i], entries, error))
                for (PtxEntry& e : entries) m[e.name] = e;
        }
        return m;
    }();
    auto it = built.find(name);
    return it == built.end() ? nullptr : &it->second;
}

} // namespace initcore_emu

extern "C" INITCORE_EMU_API const char* initcore_emu_last_error(void)
{
    return initcore_emu::t_last_error.c_str();
}
