// tinyc: ONNX to C compiler for microcontrollers. Exit codes: 0 ok, 1 bad model or data,
// 2 bad usage, 3 internal error (describeFailure, lib/support/error.h).
#include <iostream>

#include "common.h"
#include "onnx/importer.h"
#include "support/error.h"
#include "tinyc_revision.h"

int main(int argc, char** argv) {
  CLI::App app{"tinyc: compiles ONNX models into plain C for microcontrollers", "tinyc"};
  app.set_version_flag("--version", fmt::format("tinyc {}\nONNX opsets {} to {} (opsets {} to {}: the ops unchanged since them)\n"
                                                "git revision {}",
                                                TINYC_VERSION, tinyc::kMinOpset, tinyc::kMaxOpset, tinyc::kOldestOpset,
                                                tinyc::kMinOpset - 1, TINYC_GIT_REVISION));
  app.require_subcommand(1);
  app.footer("Exit codes: 0 success, 1 bad model or data, 2 bad usage, 3 internal error (a tinyc bug: "
             "'tinyc: internal error: ...', please report it).");
  tinyc::cli::registerConvert(app);
  tinyc::cli::registerValidate(app);
  tinyc::cli::registerBench(app);
  tinyc::cli::registerInspect(app);
  tinyc::cli::registerRun(app);
  tinyc::cli::registerOps(app);
  tinyc::cli::registerCompletion(app);
  if (argc < 2) {  // no subcommand: the help on stdout, and a usage error
    std::cout << app.help();
    std::cerr << "tinyc: error: a subcommand is required (see above)\n";
    return 2;
  }
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
  } catch (...) {
    tinyc::Failure f = tinyc::describeFailure(std::current_exception());
    std::cerr << f.message << "\n";
    return f.exitCode;
  }
  return 0;
}
