// The anti-scam desk on the command line (docs/scam.md): building the desk
// for `beacon serve` from its configuration, and `beacon scam import FILE
// --format F (--server URL | --data DIR)`, which reads a dataset through a
// format mapping file and files its rows as fraud reports in batches.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "scam/config.h"
#include "scam/identifiers.h"
#include "service/scam_desk.h"

namespace beacon::cli {

// --scam-config FILE, or the built-in config/scam/desk.json.
Result<scam::DeskConfig> LoadScamConfig(const std::optional<std::string>& file);
// A normaliser for `region` with the built-in shared-hosting hosts and
// wallet formats.
Result<std::shared_ptr<const scam::Normaliser>> MakeScamNormaliser(const std::string& region);
// The desk for a server; load it with ScamDesk::Load.
Result<std::unique_ptr<service::ScamDesk>> MakeScamDesk(service::Center& center, const Clock& clock,
                                                        const std::optional<std::string>& config);

class ScamCommand {
 public:
  explicit ScamCommand(CLI::App& app);
  bool selected() const { return import_->parsed(); }
  // 0 when every batch was accepted; 2 with a message on stderr otherwise.
  int Run() const;

 private:
  CLI::App* import_;
  std::string file_, format_;
  std::optional<std::string> server_, data_, config_;
  std::string user_ = "fraud_analyst";
  int batch_ = 1000;
};

}  // namespace beacon::cli
