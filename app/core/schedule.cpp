#include "schedule.h"

#include "catalog.h"

#include <QRegularExpression>
#include <QStringList>

namespace {

const char *const kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};
const char *const kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct FieldSpec
{
    const char *what; // "minute", for messages
    int min;
    int max;
    const char *const *names; // names for min, min + 1, ... (months, weekdays), or null
    int nameCount;
};

const FieldSpec kFields[] = {{"minute", 0, 59, nullptr, 0},
                             {"hour", 0, 23, nullptr, 0},
                             {"day of month", 1, 31, nullptr, 0},
                             {"month", 1, 12, kMonthNames, 12},
                             {"day of week", 0, 7, kDayNames, 7}};

// One value of a field: a number or (months, weekdays) a three-letter name.
std::optional<int> fieldValue(const QString &text, const FieldSpec &spec)
{
    bool ok = false;
    const int number = text.toInt(&ok);
    if (ok)
        return number >= spec.min && number <= spec.max ? std::optional<int>(number) : std::nullopt;
    for (int i = 0; i < spec.nameCount; ++i) {
        if (text.compare(QLatin1String(spec.names[i]), Qt::CaseInsensitive) == 0)
            return spec.min + i;
    }
    return std::nullopt;
}

// A comma-separated list of `*`, `a`, `a-b`, each with an optional `/step`. Sets bits spec.min..spec.max.
bool parseField(const QString &text, const FieldSpec &spec, std::vector<bool> *bits, QString *error)
{
    bits->assign(size_t(spec.max) + 1, false);
    const auto bad = [&](const QString &why) {
        *error = QStringLiteral("the %1 field \"%2\" %3").arg(QLatin1String(spec.what), text, why);
        return false;
    };
    for (const QString &part : text.split(QLatin1Char(','))) {
        const QStringList stepped = part.split(QLatin1Char('/'));
        if (stepped.size() > 2 || stepped.first().isEmpty())
            return bad(QStringLiteral("is not a value, a range or a step"));
        int step = 1;
        if (stepped.size() == 2) {
            bool ok = false;
            step = stepped.at(1).toInt(&ok);
            if (!ok || step < 1)
                return bad(QStringLiteral("has a step that is not a whole number of 1 or more"));
        }
        int from = spec.min;
        int to = spec.max;
        if (stepped.first() != QLatin1String("*")) {
            const QStringList range = stepped.first().split(QLatin1Char('-'));
            const auto first = fieldValue(range.first(), spec);
            const auto last = range.size() == 2 ? fieldValue(range.at(1), spec) : first;
            if (range.size() > 2 || !first || !last)
                return bad(spec.names ? QStringLiteral("is not in %1–%2 nor a name such as %3")
                                            .arg(spec.min)
                                            .arg(spec.max)
                                            .arg(QLatin1String(spec.names[0]))
                                      : QStringLiteral("is outside %1–%2").arg(spec.min).arg(spec.max));
            if (*last < *first)
                return bad(QStringLiteral("has a range that ends before it starts"));
            from = *first;
            // "5/15" means from 5 to the end in steps of 15, as in Vixie cron.
            to = range.size() == 1 && stepped.size() == 2 ? spec.max : *last;
        }
        for (int v = from; v <= to; v += step)
            (*bits)[size_t(v)] = true;
    }
    return true;
}

template <size_t N> std::bitset<N> toBits(const std::vector<bool> &bits)
{
    std::bitset<N> out;
    for (size_t i = 0; i < bits.size() && i < N; ++i)
        out[i] = bits[i];
    return out;
}

QDateTime utcAt(qint64 secs)
{
    return QDateTime::fromSecsSinceEpoch(secs, Qt::UTC);
}

// The instant a wall-clock time names in `zone`: the first of the two in an hour a DST change repeats, the
// change itself for a time in the hour it skips.
QDateTime resolveWallTime(const QDate &date, const QTime &time, const QTimeZone &zone)
{
    const qint64 wall = QDateTime(date, time, Qt::UTC).toSecsSinceEpoch(); // its fields, read as if UTC
    // The offsets a day either side: they differ only across a change near this time.
    const int before = zone.offsetFromUtc(utcAt(wall - 86400));
    const int after = zone.offsetFromUtc(utcAt(wall + 86400));
    std::optional<qint64> found;
    for (const int offset : {before, after}) {
        const qint64 candidate = wall - offset;
        if (zone.offsetFromUtc(utcAt(candidate)) == offset && (!found || candidate < *found))
            found = candidate;
    }
    if (found)
        return utcAt(*found);
    // Skipped: the change comes after the instant the new offset would name.
    return zone.nextTransition(utcAt(wall - after)).atUtc.toUTC();
}

// The latest of the valid times given; invalid when none is.
QDateTime latest(std::initializer_list<QDateTime> times)
{
    QDateTime out;
    for (const QDateTime &t : times) {
        if (t.isValid() && (!out.isValid() || t > out))
            out = t;
    }
    return out;
}

} // namespace

std::optional<CronExpression> CronExpression::parse(const QString &text, QString *error)
{
    static const QHash<QString, QString> kShortcuts{
        {QStringLiteral("@hourly"), QStringLiteral("0 * * * *")},
        {QStringLiteral("@daily"), QStringLiteral("0 0 * * *")},
        {QStringLiteral("@midnight"), QStringLiteral("0 0 * * *")},
        {QStringLiteral("@weekly"), QStringLiteral("0 0 * * 0")},
        {QStringLiteral("@monthly"), QStringLiteral("0 0 1 * *")},
        {QStringLiteral("@yearly"), QStringLiteral("0 0 1 1 *")},
        {QStringLiteral("@annually"), QStringLiteral("0 0 1 1 *")}};
    const QString trimmed = text.simplified();
    const QString expanded = kShortcuts.value(trimmed.toLower(), trimmed);
    const QStringList fields = expanded.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (fields.size() != 5) {
        *error = QStringLiteral("a cron expression has five fields (minute hour day-of-month month "
                                "day-of-week, e.g. \"0 3 * * *\"); \"%1\" has %2")
                     .arg(trimmed)
                     .arg(fields.size());
        return std::nullopt;
    }
    std::vector<bool> bits[5];
    for (int i = 0; i < 5; ++i) {
        if (!parseField(fields.at(i), kFields[i], &bits[i], error))
            return std::nullopt;
    }
    CronExpression cron;
    cron.m_text = trimmed;
    cron.m_minutes = toBits<60>(bits[0]);
    cron.m_hours = toBits<24>(bits[1]);
    cron.m_days = toBits<32>(bits[2]);
    cron.m_months = toBits<13>(bits[3]);
    cron.m_weekdays = toBits<7>(bits[4]);
    if (bits[4][7]) // 7 is Sunday too
        cron.m_weekdays[0] = true;
    cron.m_anyDay = fields.at(2).startsWith(QLatin1Char('*'));
    cron.m_anyWeekday = fields.at(4).startsWith(QLatin1Char('*'));
    return cron;
}

bool CronExpression::matchesDay(const QDate &date) const
{
    const bool day = m_days[size_t(date.day())];
    const bool weekday = m_weekdays[size_t(date.dayOfWeek() % 7)];
    if (!m_anyDay && !m_anyWeekday)
        return day || weekday;
    return day && weekday;
}

QDateTime CronExpression::next(const QDateTime &after, const QTimeZone &zone) const
{
    QDate date = after.toTimeZone(zone).date();
    for (int i = 0; i <= 5 * 366; ++i, date = date.addDays(1)) {
        if (!m_months[size_t(date.month())] || !matchesDay(date))
            continue;
        for (int hour = 0; hour < 24; ++hour) {
            if (!m_hours[size_t(hour)])
                continue;
            for (int minute = 0; minute < 60; ++minute) {
                if (!m_minutes[size_t(minute)])
                    continue;
                const QDateTime at = resolveWallTime(date, QTime(hour, minute), zone);
                if (at > after)
                    return at;
            }
        }
    }
    return {};
}

QString describeInterval(qint64 seconds)
{
    QStringList parts;
    if (seconds >= 86400)
        parts << QStringLiteral("%1 d").arg(seconds / 86400);
    if (seconds % 86400 >= 3600)
        parts << QStringLiteral("%1 h").arg(seconds % 86400 / 3600);
    if (seconds % 3600 >= 60)
        parts << QStringLiteral("%1 min").arg(seconds % 3600 / 60);
    return parts.join(QLatin1Char(' '));
}

std::optional<Schedule> Schedule::every(const QString &text, QString *error)
{
    static const QRegularExpression kDuration(
        QStringLiteral("^(?:(\\d+)\\s*d)?\\s*(?:(\\d+)\\s*h)?\\s*(?:(\\d+)\\s*m(?:in)?)?$"),
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch match = kDuration.match(text.trimmed());
    const qint64 seconds = match.hasMatch() ? match.captured(1).toLongLong() * 86400 +
                                                  match.captured(2).toLongLong() * 3600 +
                                                  match.captured(3).toLongLong() * 60
                                            : 0;
    if (seconds < 60 || seconds > 366 * 86400LL) {
        *error = QStringLiteral("--every takes a duration from 1 minute to 366 days, such as 30m, 6h, 1d "
                                "or 1h30m (\"%1\" was given)")
                     .arg(text);
        return std::nullopt;
    }
    Schedule schedule;
    schedule.kind = ScheduleKind::Every;
    schedule.everySeconds = seconds;
    return schedule;
}

std::optional<Schedule> Schedule::fromCron(const QString &expression, const QByteArray &timeZone,
                                           QString *error)
{
    const auto cron = CronExpression::parse(expression, error);
    if (!cron)
        return std::nullopt;
    const QByteArray zoneId = timeZone.isEmpty() ? QTimeZone::systemTimeZoneId() : timeZone;
    const QTimeZone zone(zoneId);
    if (!zone.isValid()) {
        *error = QStringLiteral("\"%1\" is not a time zone this machine knows; give an IANA name such as "
                                "Europe/Paris or UTC")
                     .arg(QString::fromUtf8(timeZone));
        return std::nullopt;
    }
    if (!cron->next(QDateTime::currentDateTimeUtc(), zone).isValid()) {
        *error = QStringLiteral("\"%1\" never fires (no such day in the next five years)").arg(cron->text());
        return std::nullopt;
    }
    Schedule schedule;
    schedule.kind = ScheduleKind::Cron;
    schedule.cron = cron->text();
    schedule.timeZone = zoneId;
    return schedule;
}

QDateTime Schedule::nextRun(const QDateTime &lastRunStart) const
{
    switch (kind) {
    case ScheduleKind::Off:
        return {};
    case ScheduleKind::Every: {
        const QDateTime last = latest({lastRunStart, lastFired});
        return last.isValid() ? last.addSecs(everySeconds).toUTC() : setAt.toUTC();
    }
    case ScheduleKind::Cron: {
        QString unused;
        const auto expression = CronExpression::parse(cron, &unused);
        const QDateTime from = latest({setAt, lastRunStart, lastFired});
        return expression ? expression->next(from, QTimeZone(timeZone)) : QDateTime();
    }
    }
    return {};
}

QString Schedule::describe() const
{
    switch (kind) {
    case ScheduleKind::Off:
        return QStringLiteral("not scheduled");
    case ScheduleKind::Every:
        return QStringLiteral("every %1").arg(describeInterval(everySeconds));
    case ScheduleKind::Cron:
        return QStringLiteral("cron %1 (%2)").arg(cron, QString::fromUtf8(timeZone));
    }
    return {};
}

QString Schedule::spec() const
{
    switch (kind) {
    case ScheduleKind::Off:
        return {};
    case ScheduleKind::Every:
        return QStringLiteral("every %1").arg(everySeconds);
    case ScheduleKind::Cron:
        return QStringLiteral("cron ") + cron;
    }
    return {};
}

std::optional<Schedule> Schedule::fromSpec(const QString &spec, const QByteArray &timeZone, QString *error)
{
    if (spec.startsWith(QLatin1String("every "))) {
        bool ok = false;
        Schedule schedule;
        schedule.kind = ScheduleKind::Every;
        schedule.everySeconds = spec.mid(6).toLongLong(&ok);
        if (ok && schedule.everySeconds >= 60)
            return schedule;
    } else if (spec.startsWith(QLatin1String("cron "))) {
        if (const auto cron = CronExpression::parse(spec.mid(5), error)) {
            Schedule schedule;
            schedule.kind = ScheduleKind::Cron;
            schedule.cron = cron->text();
            schedule.timeZone = timeZone;
            return schedule;
        }
        return std::nullopt;
    }
    *error = QStringLiteral("the catalog holds a schedule this version does not read (\"%1\")").arg(spec);
    return std::nullopt;
}

QDateTime nextScheduledRun(Catalog &catalog, qint64 connectionId, const Schedule &schedule)
{
    const auto last = catalog.latestRun(connectionId);
    QDateTime next = schedule.nextRun(last ? last->startedAt : QDateTime());
    // A run cut short by a kill resumes at once, by whichever process checks first.
    if (last && last->status == QLatin1String("interrupted")) {
        const QDateTime stopped = last->finishedAt.isValid() ? last->finishedAt : last->startedAt;
        next = next.isValid() ? qMin(next, stopped.toUTC()) : stopped.toUTC();
    }
    return next;
}

QList<ScheduledSync> scheduledSyncs(Catalog &catalog)
{
    const QHash<qint64, Schedule> schedules = catalog.schedules();
    QList<ScheduledSync> out;
    for (const ConnectionInfo &connection : catalog.connections()) {
        const auto it = schedules.constFind(connection.id);
        if (it != schedules.cend())
            out.append({connection.id, connection.name, *it, nextScheduledRun(catalog, connection.id, *it)});
    }
    std::stable_sort(out.begin(), out.end(), [](const ScheduledSync &a, const ScheduledSync &b) {
        return a.nextRun.isValid() && (!b.nextRun.isValid() || a.nextRun < b.nextRun);
    });
    return out;
}
