#include "stallprobe.h"

#include <QLocale>

StallProbe::StallProbe(QObject *parent, int intervalMs)
    : QObject(parent)
    , m_intervalMs(intervalMs)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &StallProbe::tick);
}

void StallProbe::start()
{
    reset();
    m_clock.start();
    m_lastNs = m_clock.nsecsElapsed();
    m_timer.start();
}

void StallProbe::stop()
{
    if (m_timer.isActive())
        tick(); // count the gap up to now
    m_timer.stop();
}

void StallProbe::reset()
{
    m_maxGapNs = 0;
    m_ticks = 0;
    m_over16 = 0;
    m_over50 = 0;
    m_measuredNs = 0;
    if (m_clock.isValid())
        m_lastNs = m_clock.nsecsElapsed();
}

void StallProbe::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const qint64 gap = now - m_lastNs;
    m_lastNs = now;
    m_measuredNs += gap;
    ++m_ticks;
    m_maxGapNs = qMax(m_maxGapNs, gap);
    const qint64 stall = gap - qint64(m_intervalMs) * 1000000;
    if (stall > 16 * 1000000LL)
        ++m_over16;
    if (stall > 50 * 1000000LL)
        ++m_over50;
}

double StallProbe::maxStallMs() const
{
    return qMax(0.0, maxGapMs() - m_intervalMs);
}

qint64 StallProbe::stallsOver(int ms) const
{
    return ms >= 50 ? m_over50 : m_over16;
}

QString StallProbe::summary() const
{
    return QStringLiteral(
               "GUI thread stall probe: longest stall %1 ms (longest gap %2 ms between %3 ms ticks), "
               "%4 stalls > 16 ms, %5 stalls > 50 ms, over %6 s (%7 ticks)")
        .arg(maxStallMs(), 0, 'f', 1)
        .arg(maxGapMs(), 0, 'f', 1)
        .arg(m_intervalMs)
        .arg(m_over16)
        .arg(m_over50)
        .arg(measuredSeconds(), 0, 'f', 1)
        .arg(m_ticks);
}
