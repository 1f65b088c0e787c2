#include "scam/config.h"

namespace beacon::scam {

using nlohmann::json;

double DeskConfig::RecallAtThreshold() const {
  return LshCandidateProbability(text.threshold, text.bands, text.rows);
}

Result<DeskConfig> ParseDeskConfig(std::string_view json_text) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Invalid("desk config: not a JSON object");
  DeskConfig c;
  try {
    c.default_region = j.value("default_region", c.default_region);
    c.currency = j.value("currency", c.currency);
    c.growth_window_days = j.value("growth_window_days", c.growth_window_days);
    if (j.contains("text")) {
      const json& t = j.at("text");
      c.text.shingle_words = t.value("shingle_words", c.text.shingle_words);
      c.text.min_tokens = t.value("min_tokens", c.text.min_tokens);
      c.text.bands = t.value("bands", c.text.bands);
      c.text.rows = t.value("rows", c.text.rows);
      c.text.threshold = t.value("threshold", c.text.threshold);
      c.text.max_bucket_scan = t.value("max_bucket_scan", c.text.max_bucket_scan);
    }
    if (j.contains("warning")) c.warning = j.at("warning");
  } catch (const json::exception& e) {
    return Invalid(std::string("desk config: ") + e.what());
  }
  if (c.currency.size() != 3) return Invalid("desk config: currency must be an ISO 4217 code");
  if (c.text.shingle_words < 1 || c.text.shingle_words > 8) {
    return Invalid("desk config: text.shingle_words must be 1 to 8");
  }
  if (c.text.min_tokens < c.text.shingle_words) {
    return Invalid("desk config: text.min_tokens must be at least text.shingle_words");
  }
  if (c.text.bands < 1 || c.text.rows < 1 || c.text.bands * c.text.rows > 1024) {
    return Invalid("desk config: text.bands and text.rows must be positive, bands * rows <= 1024");
  }
  if (!(c.text.threshold > 0 && c.text.threshold <= 1)) {
    return Invalid("desk config: text.threshold must be in (0, 1]");
  }
  if (c.text.max_bucket_scan < 1) return Invalid("desk config: text.max_bucket_scan must be >= 1");
  if (c.growth_window_days < 1 || c.growth_window_days > 365) {
    return Invalid("desk config: growth_window_days must be 1 to 365");
  }
  if (!c.warning.is_object()) return Invalid("desk config: warning must be an object");
  return c;
}

}  // namespace beacon::scam
