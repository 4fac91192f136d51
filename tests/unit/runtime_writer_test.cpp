// --runtime shared: the splitter of runtime files into declarations and definitions, and the
// shared files' properties (tests/integration/shared_runtime.sh compiles and links them).
#include <gtest/gtest.h>

#include "backends/c/runtime_writer.h"
#include "support/error.h"

namespace tinyc {
namespace {

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(RuntimeWriter, SplitsKernelsMacrosAndTypedefs) {
  const std::string src =
      "/* tinyc runtime: test. requires: common */\n"
      "#include <stdint.h>\n"
      "#define TINYC_T_N 4\n"
      "typedef struct {\n  int32_t a;\n} tinyc_t_s;\n"
      "\n"
      "/* Doubles x. */\n"
      "TINYC_KERNEL int32_t tinyc_t_twice(int32_t x) {\n  return x + x; /* } */\n}\n"
      "#define TINYC_T_MAP(NAME, T)                 \\\n"
      "  TINYC_KERNEL void tinyc_##NAME(T *y) {     \\\n"
      "    static const char s[] = \"{\";          \\\n"
      "    y[0] = (T)s[0];                         \\\n"
      "  }                                         \\\n"
      "  TINYC_KERNEL T tinyc_##NAME##_one(void) { return (T)1; }\n"
      "#define TINYC_T_ALL(T) TINYC_T_MAP(map_##T, T)\n"
      "TINYC_T_ALL(float)\n"
      "TINYC_T_MAP(map_i8, int8_t)\n";
  c::SplitSource s = c::splitRuntimeSource("test", src);
  // Header: includes, macros, typedefs, comments, prototypes; no function body.
  EXPECT_TRUE(has(s.declarations, "#include <stdint.h>\n"));
  EXPECT_TRUE(has(s.declarations, "typedef struct {\n  int32_t a;\n} tinyc_t_s;\n"));
  EXPECT_TRUE(has(s.declarations, "/* Doubles x. */\nTINYC_KERNEL int32_t tinyc_t_twice(int32_t x);\n"));
  EXPECT_TRUE(has(s.declarations, "  TINYC_KERNEL void tinyc_##NAME(T *y); \\\n"
                                  "  TINYC_KERNEL T tinyc_##NAME##_one(void);\n"));
  EXPECT_TRUE(has(s.declarations, "#define TINYC_T_ALL(T) TINYC_T_MAP(map_##T, T)\nTINYC_T_ALL(float)\nTINYC_T_MAP(map_i8, int8_t)\n"));
  EXPECT_FALSE(has(s.declarations, "return"));
  // Source: every definition, the kernel macro redefined whole, no include, typedef or comment
  // at file scope (they are in the header, which the source includes).
  EXPECT_TRUE(has(s.definitions, "TINYC_KERNEL int32_t tinyc_t_twice(int32_t x) {\n  return x + x; /* } */\n}\n"));
  EXPECT_TRUE(has(s.definitions, "#undef TINYC_T_MAP\n#define TINYC_T_MAP(NAME, T)"));
  EXPECT_TRUE(has(s.definitions, "y[0] = (T)s[0];"));
  EXPECT_TRUE(has(s.definitions, "#define TINYC_T_N 4\n"));
  EXPECT_TRUE(has(s.definitions, "TINYC_T_ALL(float)\nTINYC_T_MAP(map_i8, int8_t)\n"));
  EXPECT_FALSE(has(s.definitions, "#include"));
  EXPECT_FALSE(has(s.definitions, "typedef"));
  EXPECT_FALSE(has(s.definitions, "Doubles"));
}

TEST(RuntimeWriter, DropsAWholeFileIncludeGuardAndMakesKernelsExternal) {
  const std::string src =
      "#ifndef TINYC_G_H\n#define TINYC_G_H\n"
      "#ifndef TINYC_KERNEL\n#define TINYC_KERNEL static inline\n#endif\n"
      "TINYC_KERNEL int tinyc_g(void) { return 1; }\n"
      "#endif /* TINYC_G_H */\n";
  c::SplitSource s = c::splitRuntimeSource("g", src);
  for (const std::string* part : {&s.declarations, &s.definitions}) {
    EXPECT_FALSE(has(*part, "TINYC_G_H")) << *part;
    EXPECT_FALSE(has(*part, "static inline")) << *part;
    EXPECT_TRUE(has(*part, "#ifndef TINYC_KERNEL\n#define TINYC_KERNEL /*")) << *part;
  }
  EXPECT_TRUE(has(s.declarations, "TINYC_KERNEL int tinyc_g(void);\n"));
  EXPECT_TRUE(has(s.definitions, "TINYC_KERNEL int tinyc_g(void) { return 1; }\n"));
}

TEST(RuntimeWriter, UnknownFileScopeCodeIsAnInternalError) {
  for (const char* src : {"static const int tinyc_table[2] = {1, 2};\n", "int tinyc_plain(void) { return 0; }\n",
                          "TINYC_KERNEL int tinyc_open(void) {\n"}) {
    try {
      c::splitRuntimeSource("bad", src);
      ADD_FAILURE() << "accepted: " << src;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Internal) << e.what();
      EXPECT_TRUE(has(e.what(), "runtime file bad.c, line 1")) << e.what();
    }
  }
}

TEST(RuntimeWriter, SharedFilesDependOnlyOnTheAccumulationType) {
  const auto& generic = c::sharedRuntime(findTarget("generic"));
  const auto& m4 = c::sharedRuntime(findTarget("cortex-m4"));
  EXPECT_EQ(&m4, &c::sharedRuntime(findTarget("mcu")));
  EXPECT_EQ(&m4, &c::sharedRuntime(findTarget("cortex-m0plus")));
  EXPECT_NE(generic.id, m4.id);
  EXPECT_TRUE(has(m4.header, "#define TINYC_FLOAT_ACC 1"));
  EXPECT_FALSE(has(generic.header, "#define TINYC_FLOAT_ACC"));
  EXPECT_TRUE(has(m4.header, fmt::format("#define TINYC_RUNTIME_ID 0x{:08x}u\n", m4.id)));
  EXPECT_TRUE(has(c::sharedRuntimeInclude(findTarget("cortex-m4")), fmt::format("TINYC_RUNTIME_ID != 0x{:08x}u", m4.id)));
  EXPECT_TRUE(has(m4.source, "#include \"tinyc_runtime.h\"\n"));
  // Every runtime file is in both, and no kernel is static.
  for (const auto& f : c::runtimeFiles()) {
    EXPECT_TRUE(has(m4.header, std::string("/* ---- runtime: ") + f.name + ".c ---- */")) << f.name;
    EXPECT_TRUE(has(m4.source, std::string("/* ---- runtime: ") + f.name + ".c ---- */")) << f.name;
  }
  EXPECT_FALSE(has(m4.header, "#define TINYC_KERNEL static"));
  EXPECT_FALSE(has(m4.source, "#define TINYC_KERNEL static"));
}

TEST(RuntimeWriter, InlineRuntimeIsTheClosureInDependencyOrder) {
  const std::string rt = c::inlineRuntime({"qint"});
  const size_t common = rt.find("/* ---- runtime: common.c ---- */"), qmath = rt.find("/* ---- runtime: qmath.c ---- */"),
               qint = rt.find("/* ---- runtime: qint.c ---- */");
  ASSERT_NE(qint, std::string::npos);
  EXPECT_LT(common, qmath);
  EXPECT_LT(qmath, qint);
  EXPECT_FALSE(has(rt, "runtime: gemm.c"));
}

}  // namespace
}  // namespace tinyc
