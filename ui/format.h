// Small formatting helpers shared by the views: counts, durations, rates, dates, status colours.
#pragma once

#include "connector.h"

#include <QColor>
#include <QDateTime>
#include <QPalette>
#include <QString>

namespace Format {
QString count(qint64 value);
// "1 record", "2,000 records" (no translations ship yet, so no %n plural forms).
QString plural(qint64 n, const QString &singular, const QString &pluralForm);
QString duration(qint64 ms);             // "850 ms", "4.2 s", "3 min 12 s", "1 h 05 min"
QString rate(double recordsPerSecond);   // "1,234 rec/s"
QString dateTime(const QDateTime &when); // local, short; "—" when invalid
QString relative(const QDateTime &when); // "5 min ago"
// When a scheduled sync comes, local: "at 03:00", "Tue 03:00", "2027-01-04 03:00"; "due" once `now` passed
// it.
QString upcoming(const QDateTime &when, const QDateTime &now);
QString incrementalMode(IncrementalMode mode);
QString incrementalModeHelp(IncrementalMode mode);
// Colour for a run/entity status word (done, failed, cancelled, running, interrupted, queued).
QColor statusColor(const QString &status);
QString statusLabel(const QString &status);
// Secondary text (help, metadata): between the text and background colours, readable in light and dark
// themes.
QColor dimText(const QPalette &palette);
} // namespace Format
