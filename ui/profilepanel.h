// The records browser's "Column" side tab: one column's profile over every record of the view, its filters
// included (ColumnProfiler): rows, nulls, distinct values, min and max, the top values and a histogram drawn
// with Qt Charts. Profiling runs on a thread of its own with its own read-only connection, says which step it
// is on, can be cancelled, and is kept per sync: the same column under the same filters shows at once until
// the connection syncs again. GUI thread, except the job's thread.
#pragma once

#include "columnprofile.h"

#include <QHash>
#include <QWidget>

#include <memory>

class BusyIndicator;
class QChartView;
class QLabel;
class QPushButton;
class QThread;
class QTreeWidget;

class ProfilePanel : public QWidget
{
    Q_OBJECT
public:
    explicit ProfilePanel(const QString &catalogPath, QWidget *parent = nullptr);
    ~ProfilePanel() override;

    // Profiles `column` of `query`. `syncKey` names what the connection's records are (its last run); ""
    // while a sync runs, when no profile is kept.
    void profile(const RecordsQuery &query, int column, const QString &syncKey);
    void cancel();
    bool isBusy() const { return m_job != nullptr; }
    const ColumnProfile &shown() const { return m_shown; }
    QString statusText() const;
    QChartView *chartView() const { return m_chart; }
    QTreeWidget *topValues() const { return m_top; }

signals:
    void finished(bool ok);

private:
    struct Job; // what the GUI thread and the job's thread share
    void onStep(const std::shared_ptr<Job> &job, ColumnProfiler::Step step);
    void onDone(const std::shared_ptr<Job> &job, const ColumnProfile &profile, const QString &error,
                const QString &cacheKey);
    void endJob();
    void reapThread();
    void show(const ColumnProfile &profile);
    void drawHistogram(const ColumnProfile &profile);

    QString m_catalogPath;
    QHash<QString, ColumnProfile> m_cache; // cache key -> profile
    ColumnProfile m_shown;
    QThread *m_thread = nullptr;
    std::shared_ptr<Job> m_job;
    QLabel *m_title;
    QLabel *m_stats;
    QLabel *m_status;
    BusyIndicator *m_busy;
    QPushButton *m_cancel;
    QTreeWidget *m_top;
    QChartView *m_chart;
};
