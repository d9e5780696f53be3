// The small badge a records header shows for its column's type ("123", "1.5", "abc", a clock...), drawn
// once per type and palette on the GUI thread.
#pragma once

#include "fieldschema.h"

#include <QIcon>

namespace TypeBadge {
QIcon icon(FieldType type);
QString text(FieldType type); // the badge's label: "123", "1.5", "T/F", "abc", "date", "time", "{}", "[]"
} // namespace TypeBadge
