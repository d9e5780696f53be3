// Measures how long the GUI thread's event loop goes without serving a timer: a precise 5 ms QTimer notes the
// gap between its ticks; the longest gap minus the interval is the worst stall a user could have felt.
// Lives on (and must be started from) the thread it measures. Used by `mako-connect --stall-probe`, the GUI
// tests and the GUI benchmark.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

class StallProbe : public QObject
{
    Q_OBJECT
public:
    explicit StallProbe(QObject *parent = nullptr, int intervalMs = 5);

    void start();
    void stop();
    void reset();
    bool isRunning() const { return m_timer.isActive(); }

    int intervalMs() const { return m_intervalMs; }
    double maxGapMs() const { return m_maxGapNs / 1e6; } // longest time between two ticks
    double maxStallMs() const;                           // maxGap minus the timer interval
    qint64 ticks() const { return m_ticks; }
    qint64 stallsOver(int ms) const; // gaps longer than interval + ms (16 or 50)
    double measuredSeconds() const { return m_measuredNs / 1e9; }
    QString summary() const;

private:
    void tick();

    int m_intervalMs;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = -1;
    qint64 m_maxGapNs = 0;
    qint64 m_ticks = 0;
    qint64 m_over16 = 0;
    qint64 m_over50 = 0;
    qint64 m_measuredNs = 0;
};
