#include "format.h"

#include <QLocale>

namespace Format {

QString count(qint64 value)
{
    return QLocale().toString(value);
}

QString plural(qint64 n, const QString &singular, const QString &pluralForm)
{
    return QStringLiteral("%1 %2").arg(count(n), n == 1 ? singular : pluralForm);
}

QString duration(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("—");
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms < 60000)
        return QStringLiteral("%1 s").arg(QLocale().toString(ms / 1000.0, 'f', 1));
    const qint64 s = ms / 1000;
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QString rate(double recordsPerSecond)
{
    if (recordsPerSecond <= 0)
        return QStringLiteral("—");
    if (recordsPerSecond < 10)
        return QStringLiteral("%1 rec/s").arg(QLocale().toString(recordsPerSecond, 'f', 1));
    return QStringLiteral("%1 rec/s").arg(QLocale().toString(qint64(recordsPerSecond + 0.5)));
}

QString dateTime(const QDateTime &when)
{
    if (!when.isValid())
        return QStringLiteral("—");
    return QLocale().toString(when.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString relative(const QDateTime &when)
{
    if (!when.isValid())
        return QStringLiteral("never");
    const qint64 s = when.secsTo(QDateTime::currentDateTime());
    if (s < 60)
        return QStringLiteral("just now");
    if (s < 3600)
        return QStringLiteral("%1 min ago").arg(s / 60);
    if (s < 86400)
        return QStringLiteral("%1 h ago").arg(s / 3600);
    return QStringLiteral("%1 days ago").arg(s / 86400);
}

QString upcoming(const QDateTime &when, const QDateTime &now)
{
    if (when <= now)
        return QStringLiteral("due");
    const QDateTime local = when.toLocalTime();
    const qint64 days = now.toLocalTime().date().daysTo(local.date());
    const QLocale locale;
    if (days == 0)
        return QStringLiteral("at ") + locale.toString(local.time(), QStringLiteral("HH:mm"));
    if (days < 7)
        return locale.toString(local, QStringLiteral("ddd HH:mm"));
    return locale.toString(local, QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString incrementalMode(IncrementalMode mode)
{
    switch (mode) {
    case IncrementalMode::Native:
        return QStringLiteral("Incremental");
    case IncrementalMode::CreatedOnly:
        return QStringLiteral("Incremental (new records only)");
    case IncrementalMode::ClientFilter:
        return QStringLiteral("Incremental (filtered locally)");
    case IncrementalMode::None:
        break;
    }
    return QStringLiteral("Full refresh only");
}

QString incrementalModeHelp(IncrementalMode mode)
{
    switch (mode) {
    case IncrementalMode::Native:
        return QStringLiteral("The API returns records changed since the last sync.");
    case IncrementalMode::CreatedOnly:
        return QStringLiteral("Only records created since the last sync are fetched; edits to older records "
                              "are picked up by a full refresh.");
    case IncrementalMode::ClientFilter:
        return QStringLiteral("Everything is fetched; records older than the last sync are skipped locally.");
    case IncrementalMode::None:
        break;
    }
    return QStringLiteral("The API cannot filter by date: every sync is a full refresh.");
}

QColor statusColor(const QString &status)
{
    if (status == QLatin1String("done") || status == QLatin1String("skipped"))
        return QColor(0x2e, 0x7d, 0x32);
    if (status == QLatin1String("failed"))
        return QColor(0xc6, 0x28, 0x28);
    if (status == QLatin1String("cancelled") || status == QLatin1String("interrupted") ||
        status == QLatin1String("partial"))
        return QColor(0xb2, 0x6a, 0x00);
    if (status == QLatin1String("running") || status == QLatin1String("waiting"))
        return QColor(0x15, 0x65, 0xc0);
    return QColor(0x75, 0x75, 0x75);
}

QString statusLabel(const QString &status)
{
    if (status.isEmpty())
        return status;
    return status.at(0).toUpper() + status.mid(1);
}

} // namespace Format

namespace Format {

QColor dimText(const QPalette &palette)
{
    const QColor text = palette.color(QPalette::Active, QPalette::Text);
    const QColor base = palette.color(QPalette::Active, QPalette::Window);
    return QColor::fromRgbF(text.redF() * 0.62 + base.redF() * 0.38,
                            text.greenF() * 0.62 + base.greenF() * 0.38,
                            text.blueF() * 0.62 + base.blueF() * 0.38);
}

} // namespace Format
