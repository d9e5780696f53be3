// The "Records" tab of a connection: pick an entity, browse its records in a lazily loaded table with a text
// filter, per-column filters and sorting, read the selected record as a JSON tree, copy it, and export the
// filtered view to CSV or JSON Lines. Reads only (I5): the model and the exporter have their own read-only
// connections on their own threads. GUI thread.
#pragma once

#include "catalog.h"
#include "recordexporter.h"

#include <QPointer>
#include <QWidget>

class BusyIndicator;
class FilterHeader;
class QComboBox;
class QLabel;
class ProfilePanel;
class QLineEdit;
class QTabWidget;
class QPushButton;
class QTableView;
class QTimer;
class QToolButton;
class QTreeWidget;
class RecordsModel;

class RecordsBrowser : public QWidget
{
    Q_OBJECT
public:
    RecordsBrowser(const QString &catalogPath, Catalog *catalog, QWidget *parent = nullptr);

    void setConnection(const ConnectionInfo &connection, const ConnectorMetadata *metadata);
    void setEntity(const QString &entity);
    QString currentEntity() const;
    qint64 connectionId() const { return m_connection.id; }

    RecordsModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    FilterHeader *filterHeader() const { return m_header; }
    QTreeWidget *jsonTree() const { return m_tree; }
    QLineEdit *filterEdit() const { return m_filter; }
    ProfilePanel *profilePanel() const { return m_profile; }
    bool isExporting() const { return !m_exporter.isNull(); }

    // Starts exporting the current filtered view to `path` (CSV or JSONL from the suffix unless given).
    // Returns false when an export is already running or nothing is shown.
    bool exportTo(const QString &path, const ExportOptions &options);
    bool exportTo(const QString &path); // the format from the suffix, default options
    // The CSV options dialog (delimiter, flatten, nulls, BOM, dates), remembered between exports.
    static bool askCsvOptions(QWidget *parent, ExportOptions *options);

    bool eventFilter(QObject *watched, QEvent *event) override;
    static constexpr qint64 kMaxCopiedCells = 1'000'000;

public slots:
    void refresh();
    void exportRecords(); // asks where, then exportTo()
    void focusFilter();
    void copyRecord();
    // Shows the "Column profile" tab and profiles `column` over every record of the filtered view.
    void profileColumn(int column);
    // The selected cells as tab-separated text with a header line, as Ctrl+C copies them.
    QString selectionTsv() const;
    void copySelection(); // selectionTsv() to the clipboard, unless more than kMaxCopiedCells are selected
    // Filters the view to the rows whose column holds the cell's value (or, with `exclude`, does not).
    void filterByCell(const QModelIndex &index, bool exclude);

signals:
    void exportFinished(bool ok, qint64 rows, const QString &pathOrError);
    void entityChanged(const QString &entity);

private:
    void showSelectedRecord();
    void updateCountLabel();
    void applyFiltersSoon();
    void showFilterProblems();
    void showHeaderMenu(const QPoint &position);
    void chooseExport(ExportFormat format);
    void showCellMenu(const QPoint &position);
    QString cellText(const QModelIndex &index) const;
    QString layoutKey() const;
    void saveLayout();
    void restoreLayout();

    QString m_catalogPath;
    Catalog *m_catalog;
    ConnectionInfo m_connection;
    ConnectorMetadata m_metadata;
    RecordsModel *m_model;
    QComboBox *m_entity;
    QLineEdit *m_filter;
    QLabel *m_count;
    BusyIndicator *m_busy;
    QToolButton *m_exportButton;
    QToolButton *m_rawButton;
    QPushButton *m_refreshButton;
    QTableView *m_table;
    FilterHeader *m_header;
    QTreeWidget *m_tree;
    QTabWidget *m_sideTabs;
    ProfilePanel *m_profile;
    QLabel *m_recordTitle;
    QPushButton *m_copyButton;
    QLabel *m_status;
    QTimer *m_filterTimer;
    QPointer<RecordExporter> m_exporter;
    QByteArray m_currentJson;
    bool m_restoringLayout = false;
};
