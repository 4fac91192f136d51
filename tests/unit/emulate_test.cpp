// validate --emulate: the machine table and the generated startup / linker script text.
#include <gtest/gtest.h>

#include "backends/c/emulate.h"
#include "backends/c/host.h"

namespace tinyc {
namespace {

TEST(Emulate, MachinesForEveryCoreQemuModels) {
  const std::pair<const char*, const char*> cores[] = {{"cortex-m3", "mps2-an385"},
                                                       {"cortex-m4", "mps2-an386"},
                                                       {"cortex-m7", "mps2-an500"},
                                                       {"cortex-m33", "mps2-an505"},
                                                       {"cortex-m55", "mps3-an547"}};
  for (const auto& [t, m] : cores) {
    ASSERT_NE(c::findEmulatedMachine(t), nullptr) << t;
    EXPECT_EQ(c::findEmulatedMachine(t)->qemuMachine, m);
  }
  // The AN505 boots Secure from 0x10000000: code at SSRAM1's Secure alias.
  EXPECT_EQ(c::findEmulatedMachine("cortex-m33")->codeBase, 0x10000000u);
  for (const char* t : {"generic", "cortex-m0plus", "mcu"}) EXPECT_EQ(c::findEmulatedMachine(t), nullptr) << t;
  EXPECT_EQ(c::emulatedTargets(), "cortex-m3, cortex-m4, cortex-m7, cortex-m33, cortex-m55");
}

TEST(Emulate, StartupPassesHarnessFilesAndEnablesFpu) {
  std::string s = c::startupSource(findTarget("cortex-m4"), 2, 1);
  EXPECT_NE(s.find("\"in0.bin\""), std::string::npos);
  EXPECT_NE(s.find("\"in1.bin\""), std::string::npos);
  EXPECT_NE(s.find("\"out0.bin\""), std::string::npos);
  EXPECT_NE(s.find("static char *args[] = {arg0, arg1, arg2, arg3, 0};"), std::string::npos);
  EXPECT_NE(s.find("0xE000ED88u"), std::string::npos);
  // No FPU on the M0+: the CPACR write would fault there.
  EXPECT_EQ(c::startupSource(findTarget("cortex-m0plus"), 1, 1).find("0xE000ED88u"), std::string::npos);
  EXPECT_EQ(c::startupSource(findTarget("cortex-m3"), 1, 1).find("0xE000ED88u"), std::string::npos);  // no FPU
}

TEST(Emulate, LinkerScriptPlacesConstantsPerMachine) {
  std::string m4 = c::linkerScript(*c::findEmulatedMachine("cortex-m4"));
  EXPECT_NE(m4.find("REGION_ALIAS(\"CONST\", CODE);"), std::string::npos);
  EXPECT_NE(m4.find("DATA (rwx) : ORIGIN = 0x20000000, LENGTH = 0x400000"), std::string::npos);
  std::string m55 = c::linkerScript(*c::findEmulatedMachine("cortex-m55"));
  EXPECT_EQ(m55.find("REGION_ALIAS"), std::string::npos);
  EXPECT_NE(m55.find("CODE (rx) : ORIGIN = 0x00000000, LENGTH = 0x80000"), std::string::npos);
  EXPECT_NE(m55.find("CONST (r) : ORIGIN = 0x01000000, LENGTH = 0x200000"), std::string::npos);
  EXPECT_NE(m55.find("DATA (rwx) : ORIGIN = 0x21000000, LENGTH = 0x400000"), std::string::npos);
}

// A failed cross-compile shows gcc's error line, not the "In function" / "inlined from" lines
// before it (issue 14: arm-none-eabi-gcc 12.2's output on a 1x128 Linear layer).
TEST(Emulate, CompilerErrorsShowTheErrorLine) {
  const std::string log =
      "In function 'tinyc_gemv_f32',\n"
      "    inlined from 'tinyc_sgemm' at m.c:560:5,\n"
      "    inlined from 'tinyc_gemm_f32' at m.c:615:3,\n"
      "    inlined from 'm_run' at m.c:702:3:\n"
      "m.c:538:39: error: iteration 1073741823 invokes undefined behavior [-Werror=aggressive-loop-optimizations]\n"
      "  538 |     for (; k < K; ++k) s = TINYC_FMA(a[(size_t)k * (size_t)csa], col[k], s);\n"
      "      |                                       ^\n"
      "m.c:538:5: note: within this loop\n"
      "cc1: all warnings being treated as errors\n";
  EXPECT_EQ(c::compilerErrors(log),
            "m.c:538:39: error: iteration 1073741823 invokes undefined behavior [-Werror=aggressive-loop-optimizations]"
            " | 538 | for (; k < K; ++k) s = TINYC_FMA(a[(size_t)k * (size_t)csa], col[k], s);");
  // More errors are counted; collect2's summary is not one; without any, the first lines.
  EXPECT_EQ(c::compilerErrors("a.c:1:1: error: one\nb.c:2:2: error: two\nc.c:3:3: error: three\n"),
            "a.c:1:1: error: one (and 2 more errors)");
  EXPECT_EQ(c::compilerErrors("ld: m.o: in function `main':\nm.c:(.text+0x8): undefined reference to `f'\n"
                              "collect2: error: ld returned 1 exit status\n"),
            "ld: m.o: in function `main': | m.c:(.text+0x8): undefined reference to `f' | collect2: error: ld returned 1 "
            "exit status");
}

}  // namespace
}  // namespace tinyc
