// Text helpers shared by the writers of markup (CAP XML, EIDO PIDF-LO and
// notes, the replay's report.html).
#pragma once

#include <string>
#include <string_view>

namespace beacon {

// Escapes & < > " as entities, so the text is safe in XML or HTML element
// content and in double-quoted attribute values.
std::string EscapeMarkup(std::string_view text);

}  // namespace beacon
