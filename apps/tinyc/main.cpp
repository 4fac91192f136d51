// tinyc: ONNX to C compiler for microcontrollers. Exit codes: 0 ok, 1 bad model or data,
// 2 bad usage.
#include <iostream>
#include <new>

#include "common.h"
#include "support/error.h"

int main(int argc, char** argv) {
  CLI::App app{"tinyc: compiles ONNX models into plain C for microcontrollers", "tinyc"};
  app.set_version_flag("--version", "tinyc 0.1.0");
  app.require_subcommand(1);
  tinyc::cli::registerConvert(app);
  tinyc::cli::registerValidate(app);
  tinyc::cli::registerBench(app);
  tinyc::cli::registerInspect(app);
  tinyc::cli::registerRun(app);
  tinyc::cli::registerOps(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::RuntimeError& e) {  // a subcommand's own exit code (validate: 1 = outside tolerance)
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    std::cerr << "tinyc: error: " << e.what() << "\n";
    return 2;
  } catch (const tinyc::Error& e) {
    std::cerr << "tinyc: error: " << e.what() << "\n";
    return static_cast<int>(e.kind());
  } catch (const std::bad_alloc&) {
    std::cerr << "tinyc: error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "tinyc: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
