// When a connection syncs by itself: every N minutes/hours/days after its last run started, or at the times
// of a cron expression in a time zone. Read by `sync --due`, the worker and the desktop app; stored in the
// catalog's schedules table. Times are computed, never waited for here: callers pass "now" (a test clock).
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QTimeZone>

#include <QList>

#include <bitset>
#include <optional>

class Catalog;

// The standard five-field cron syntax (minute hour day-of-month month day-of-week): `*`, lists, ranges,
// steps, month and day names, 7 as Sunday, and @hourly/@daily/@weekly/@monthly/@yearly. As in Vixie cron,
// when both day fields are restricted a day matching either one fires.
class CronExpression
{
public:
    static std::optional<CronExpression> parse(const QString &text, QString *error);

    // The first firing strictly after `after`, read as wall-clock times in `zone`. A wall-clock time that a
    // DST change skips fires at the change (as cron runs skipped jobs right after it); one that happens twice
    // fires once, the first time. Invalid when it never fires in the next five years.
    QDateTime next(const QDateTime &after, const QTimeZone &zone) const;
    QString text() const { return m_text; }

private:
    bool matchesDay(const QDate &date) const;
    QString m_text;
    std::bitset<60> m_minutes;
    std::bitset<24> m_hours;
    std::bitset<32> m_days;    // 1..31
    std::bitset<13> m_months;  // 1..12
    std::bitset<7> m_weekdays; // 0 = Sunday
    bool m_anyDay = true;      // day-of-month was `*`
    bool m_anyWeekday = true;  // day-of-week was `*`
};

enum class ScheduleKind { Off, Every, Cron };

struct Schedule
{
    ScheduleKind kind = ScheduleKind::Off;
    qint64 everySeconds = 0; // Every
    QString cron;            // Cron: the expression as given
    QByteArray timeZone;     // Cron: an IANA id ("Europe/Paris"); empty: the machine's zone
    QDateTime setAt;         // when it was set: a cron schedule fires first after this
    QDateTime lastFired;     // when it last started a run (by the scheduler's clock)

    // "6h", "30m", "1d", "1h30m": at least one minute.
    static std::optional<Schedule> every(const QString &text, QString *error);
    static std::optional<Schedule> fromCron(const QString &expression, const QByteArray &timeZone,
                                            QString *error);

    bool isOn() const { return kind != ScheduleKind::Off; }
    // When the next run is due, given when the last run started (invalid: never ran). An interval counts
    // from the last run's start (or the last firing, if later); a never-run interval schedule is due at
    // once. A cron schedule is due at its first firing after the last run, the last firing or its setting,
    // whichever is latest: missed firings make one run, not many.
    QDateTime nextRun(const QDateTime &lastRunStart) const;
    // "every 6 h", "cron 0 3 * * * (Europe/Paris)".
    QString describe() const;
    // As stored in the catalog: "every 21600" or "cron 0 3 * * *".
    QString spec() const;
    static std::optional<Schedule> fromSpec(const QString &spec, const QByteArray &timeZone, QString *error);
};

// "6 h", "1 d 12 h", "30 min": how an interval reads to people.
QString describeInterval(qint64 seconds);

// A scheduled connection and when its next run is due.
struct ScheduledSync
{
    qint64 connectionId = 0;
    QString name;
    Schedule schedule;
    QDateTime nextRun; // UTC
    bool isDue(const QDateTime &now) const { return nextRun.isValid() && nextRun <= now; }
};

// When the connection's next scheduled run is due (UTC), by its schedule and its last run. One whose last
// run was interrupted (its process killed) is due at once, to resume.
QDateTime nextScheduledRun(Catalog &catalog, qint64 connectionId, const Schedule &schedule);

// Every scheduled connection of the catalog (nextScheduledRun for each), the longest overdue first.
QList<ScheduledSync> scheduledSyncs(Catalog &catalog);
