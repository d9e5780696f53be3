// The "SQL" page: a read-only SQL console over the catalog. Queries run on a worker thread with a read-only
// connection of its own (ReadOnlyDb: a SQLite file opened read-only, or a PostgreSQL session whose every
// statement runs alone in a READ ONLY transaction), so nothing typed here can write (I5) and a slow query
// never freezes the window; the first rows come back into a table, and Chart draws them. The side list
// shows the catalog's tables and its per-connection, per-entity views. GUI thread, except SqlWorker.
#pragma once

#include "catalogdialect.h"
#include "recordexporter.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QPointer>
#include <QSqlQuery>
#include <QThread>
#include <QVariantList>
#include <QVector>
#include <QWidget>

#include <atomic>
#include <memory>

class BusyIndicator;
class QuickChart;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QToolButton;
class QTableView;
class QTreeWidget;

struct SqlResult
{
    QStringList columns;
    QVector<QVariantList> rows;
    bool truncated = false;
    QString error;
    qint64 elapsedMs = 0;
};

// Lives on the console's worker thread.
class SqlWorker : public QObject
{
    Q_OBJECT
public:
    explicit SqlWorker(QString catalogPath);
    ~SqlWorker() override;
    std::atomic<QueryCanceller *> canceller{nullptr}; // of the worker's connection, for Cancel
    void run(int id, const QString &sql, int maxRows);
    // The next `maxRows` rows of query `id`, still open after run() stopped at its preview.
    void more(int id, int maxRows);
    void listObjects();

signals:
    void finished(int id, const SqlResult &result);
    void moreFetched(int id, const SqlResult &result);
    void objectsListed(const QStringList &tables, const QStringList &views);

private:
    bool ensureOpen(QString *error);
    void fetch(SqlResult *result, int maxRows);
    void endQuery(); // ends the last query's read (and its read-only transaction)
    QString m_path;
    std::unique_ptr<QSqlQuery> m_query; // the last query, while it has rows left to fetch
    int m_openId = 0;
    QString m_connectionName;
    bool m_open = false;
    std::unique_ptr<QueryCanceller> m_canceller;
};

class SqlResultModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;
    void setResult(const SqlResult &result);
    void appendRows(const SqlResult &more);
    const SqlResult &result() const { return m_result; }
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    SqlResult m_result;
};

class SqlConsolePage : public QWidget
{
    Q_OBJECT
public:
    explicit SqlConsolePage(const QString &catalogPath, QWidget *parent = nullptr);
    ~SqlConsolePage() override;

    QPlainTextEdit *editor() const { return m_editor; }
    QTableView *resultView() const { return m_table; }
    SqlResultModel *resultModel() const { return m_model; }
    QString statusText() const;
    bool isRunning() const { return m_running; }
    static constexpr int MaxRows = 10000; // rows a run or a "more" fetches into the table
    QString lastStatement() const { return m_lastSql; }
    QuickChart *quickChart() const { return m_chart; }
    // Shows (or hides) the quick chart of the result's first two columns under the table.
    void showChart(bool shown);
    // The rows shown, as tab-separated text with a header line (pastes into a spreadsheet).
    QString resultTsv() const;
    // Writes the whole result of the last query (not only the rows shown) to `path`.
    bool exportTo(const QString &path, const ExportOptions &options);

public slots:
    void runQuery();
    void fetchMore();
    void runQuery(const QString &sql);
    void stopQuery();
    void refreshObjects();

signals:
    void queryFinished(bool ok);
    void exportFinished(bool ok, qint64 rows, const QString &pathOrError);

private:
    void onFinished(int id, const SqlResult &result);
    void onMore(int id, const SqlResult &result);
    void showRowStatus(const SqlResult &result);
    void replot(); // the chart, when shown, follows the rows the table holds
    void chooseExport(ExportFormat format);

    QThread m_thread;
    SqlWorker *m_worker;
    QPlainTextEdit *m_editor;
    QPushButton *m_runButton;
    QPushButton *m_stopButton;
    QPushButton *m_moreButton;
    QToolButton *m_exportButton;
    QPushButton *m_chartButton;
    QuickChart *m_chart;
    QPointer<RecordExporter> m_exporter;
    QString m_catalogPath;
    QString m_lastSql;
    BusyIndicator *m_busy;
    QLabel *m_status;
    QTableView *m_table;
    SqlResultModel *m_model;
    QTreeWidget *m_objects;
    int m_queryId = 0;
    bool m_running = false;
};
