// validate --emulate: the machine table and the generated startup / linker script text.
#include <gtest/gtest.h>

#include "backends/c/emulate.h"

namespace tinyc {
namespace {

TEST(Emulate, MachinesOnlyForCortexM3M4AndM55) {
  ASSERT_NE(c::findEmulatedMachine("cortex-m3"), nullptr);
  EXPECT_EQ(c::findEmulatedMachine("cortex-m3")->qemuMachine, "mps2-an385");
  ASSERT_NE(c::findEmulatedMachine("cortex-m4"), nullptr);
  EXPECT_EQ(c::findEmulatedMachine("cortex-m4")->qemuMachine, "mps2-an386");
  ASSERT_NE(c::findEmulatedMachine("cortex-m55"), nullptr);
  EXPECT_EQ(c::findEmulatedMachine("cortex-m55")->qemuMachine, "mps3-an547");
  for (const char* t : {"generic", "cortex-m0plus", "cortex-m7", "cortex-m33", "mcu"})
    EXPECT_EQ(c::findEmulatedMachine(t), nullptr) << t;
  EXPECT_EQ(c::emulatedTargets(), "cortex-m3, cortex-m4, cortex-m55");
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

}  // namespace
}  // namespace tinyc
