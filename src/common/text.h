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

namespace beacon {

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or
// code points above U+10FFFF).
bool ValidUtf8(std::string_view text);

}  // namespace beacon
