#include "recordsbrowser.h"
#include "searchfield.h"

#include "busyindicator.h"
#include "filterheader.h"
#include "format.h"
#include "jsontree.h"
#include "profilepanel.h"
#include "recordsmodel.h"
#include "svgicon.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDesktopServices>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

RecordsBrowser::RecordsBrowser(const QString &catalogPath, Catalog *catalog, QWidget *parent)
    : QWidget(parent)
    , m_catalogPath(catalogPath)
    , m_catalog(catalog)
{
    setObjectName(QStringLiteral("recordsBrowser"));
    m_model = new RecordsModel(catalogPath, this);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 6, 0, 0);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Entity:"), this));
    m_entity = new QComboBox(this);
    m_entity->setObjectName(QStringLiteral("recordsEntity"));
    m_entity->setMinimumWidth(120);
    bar->addWidget(m_entity);
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("recordsFilter"));
    m_filter->setPlaceholderText(tr("Find in any field (Ctrl+F)…"));
    // Room for its placeholder at 1024 px: the bar's buttons give way first.
    m_filter->setMinimumWidth(m_filter->fontMetrics().horizontalAdvance(m_filter->placeholderText()) + 44);
    m_filter->setClearButtonEnabled(true);
    clearOnEscape(m_filter);
    m_filter->addAction(Icons::ui(QStringLiteral("search")), QLineEdit::LeadingPosition);
    bar->addWidget(m_filter, 1);
    m_busy = new BusyIndicator(this);
    bar->addWidget(m_busy);
    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("recordsCount"));
    m_count->setMinimumWidth(110);
    bar->addWidget(m_count);
    m_refreshButton = new QPushButton(Icons::ui(QStringLiteral("refresh")), QString(), this);
    m_refreshButton->setObjectName(QStringLiteral("recordsRefresh"));
    m_refreshButton->setToolTip(tr("Reload from the catalog"));
    bar->addWidget(m_refreshButton);
    m_exportButton = new QToolButton(this);
    m_exportButton->setObjectName(QStringLiteral("exportButton"));
    m_exportButton->setText(tr("Export…"));
    m_exportButton->setIcon(Icons::ui(QStringLiteral("export")));
    m_exportButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_exportButton->setToolTip(
        tr("Export the rows shown (with the current filters and sort) to CSV, Excel or JSON Lines "
           "(Ctrl+Shift+E)"));
    m_rawButton = new QToolButton(this);
    m_rawButton->setObjectName(QStringLiteral("rawValuesButton"));
    m_rawButton->setText(tr("Raw values"));
    m_rawButton->setCheckable(true);
    m_rawButton->setToolTip(tr("Show timestamps and numbers as the API sent them, not as local dates and "
                               "formatted numbers"));
    bar->addWidget(m_rawButton);
    bar->addWidget(m_exportButton);
    layout->addLayout(bar);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("recordsSplitter"));
    m_table = new QTableView(splitter);
    m_table->setObjectName(QStringLiteral("recordsTable"));
    m_header = new FilterHeader(m_table);
    m_header->setObjectName(QStringLiteral("recordsHeader"));
    m_table->setHorizontalHeader(m_header);
    m_table->setModel(m_model);
    m_table->setSortingEnabled(true);
    m_header->setSortIndicator(0, Qt::AscendingOrder);
    // Cells and ranges, as in a spreadsheet: a row by its number, columns by dragging, Ctrl and Shift to add.
    m_table->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, &RecordsBrowser::showCellMenu);
    m_table->installEventFilter(this); // Ctrl+C: the view itself would copy the current cell's text only
    m_header->setSectionsMovable(true);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_header->setDefaultSectionSize(120);
    m_header->setMinimumSectionSize(60);

    m_sideTabs = new QTabWidget(splitter);
    m_sideTabs->setObjectName(QStringLiteral("recordsSideTabs"));
    auto *side = new QWidget(m_sideTabs);
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(4, 0, 0, 0);
    auto *sideBar = new QHBoxLayout;
    m_recordTitle = new QLabel(tr("Select a record"), side);
    m_recordTitle->setObjectName(QStringLiteral("recordTitle"));
    QFont bold = m_recordTitle->font();
    bold.setBold(true);
    m_recordTitle->setFont(bold);
    sideBar->addWidget(m_recordTitle, 1);
    m_copyButton = new QPushButton(Icons::ui(QStringLiteral("copy")), tr("Copy JSON"), side);
    m_copyButton->setObjectName(QStringLiteral("copyJsonButton"));
    m_copyButton->setToolTip(tr("Copy the whole record as JSON (Ctrl+Shift+C)"));
    m_copyButton->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+C")));
    m_copyButton->setEnabled(false);
    sideBar->addWidget(m_copyButton);
    sideLayout->addLayout(sideBar);
    m_tree = new QTreeWidget(side);
    m_tree->setObjectName(QStringLiteral("recordJson"));
    m_tree->setHeaderLabels({tr("Field"), tr("Value")});
    m_tree->setAlternatingRowColors(true);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    JsonTree::installContextMenu(m_tree);
    sideLayout->addWidget(m_tree, 1);
    m_profile = new ProfilePanel(m_catalogPath, m_sideTabs);
    m_sideTabs->addTab(side, tr("Record"));
    m_sideTabs->addTab(m_profile, tr("Column profile"));
    splitter->addWidget(m_table);
    splitter->addWidget(m_sideTabs);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({600, 400});
    layout->addWidget(splitter, 1);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("exportStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_status->hide();
    layout->addWidget(m_status);

    auto *exportMenu = new QMenu(m_exportButton);
    exportMenu->addAction(tr("CSV…"), this, [this] { chooseExport(ExportFormat::Csv); });
    exportMenu->addAction(tr("Excel workbook (XLSX)…"), this, [this] { chooseExport(ExportFormat::Xlsx); });
    exportMenu->addAction(tr("JSON Lines…"), this, [this] { chooseExport(ExportFormat::JsonLines); });
    m_exportButton->setMenu(exportMenu);
    m_exportButton->setPopupMode(QToolButton::InstantPopup);

    m_filterTimer = new QTimer(this);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(250); // typing does not restart a query per key
    connect(m_filterTimer, &QTimer::timeout, this, [this] {
        QHash<int, QString> filters;
        for (int c = 0; c < m_header->filterCount(); ++c)
            filters.insert(c, m_header->filterText(c));
        m_model->setColumnFilters(filters);
        m_model->setTextFilter(m_filter->text());
        m_table->scrollToTop(); // a new set of rows starts at its first
        showFilterProblems();
    });
    connect(m_filter, &QLineEdit::textChanged, this, &RecordsBrowser::applyFiltersSoon);
    connect(m_header, &FilterHeader::filterChanged, this, &RecordsBrowser::applyFiltersSoon);
    connect(m_entity, &QComboBox::currentIndexChanged, this, [this] {
        const QString entity = currentEntity();
        if (entity.isEmpty())
            return;
        const EntityInfo *info = m_metadata.entity(entity);
        m_filter->blockSignals(true);
        m_filter->clear();
        m_filter->blockSignals(false);
        m_header->clearFilters(); // a new entity starts unfiltered (the model resets its filters too)
        m_filterTimer->stop();
        m_header->setSortIndicator(0, Qt::AscendingOrder);
        m_model->setEntity(m_connection.id, entity, info ? info->primaryKey : QStringLiteral("id"));
        QSettings().setValue(QStringLiteral("records/lastEntity/%1").arg(m_connection.id), entity);
        emit entityChanged(entity);
    });
    connect(m_model, &RecordsModel::columnsReset, this, [this] {
        const bool sameColumns = m_header->filterCount() == m_model->columnCount();
        m_header->setFilterCount(m_model->columnCount());
        if (!sameColumns) {
            for (int c = 0; c < m_model->columnCount(); ++c) {
                m_table->setColumnWidth(c, c == 0 ? 160 : 120);
                m_table->setColumnHidden(c, false);
            }
            restoreLayout();
        }
    });
    // The column layout (order, widths, hidden columns) is remembered per connection and entity.
    connect(m_header, &QHeaderView::sectionMoved, this, &RecordsBrowser::saveLayout);
    connect(m_header, &QHeaderView::sectionResized, this, &RecordsBrowser::saveLayout);
    connect(m_model, &RecordsModel::loadingChanged, this, [this](bool loading) {
        loading ? m_busy->start() : m_busy->stop();
        updateCountLabel();
    });
    connect(m_model, &RecordsModel::totalCountChanged, this, &RecordsBrowser::updateCountLabel);
    connect(m_model, &RecordsModel::pageLoaded, this, &RecordsBrowser::updateCountLabel);
    connect(m_model, &RecordsModel::errorOccurred, this, [this](const QString &message) {
        m_status->setStyleSheet(QStringLiteral("color: #c62828;"));
        m_status->setText(tr("Could not read the records: %1").arg(message));
        m_status->show();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] { showSelectedRecord(); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &RecordsBrowser::showSelectedRecord);
    connect(m_rawButton, &QToolButton::toggled, m_model, &RecordsModel::setRawValues);
    m_header->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_header, &QWidget::customContextMenuRequested, this, &RecordsBrowser::showHeaderMenu);
    connect(m_status, &QLabel::linkActivated, this,
            [](const QString &link) { QDesktopServices::openUrl(QUrl(link)); });
    connect(m_refreshButton, &QPushButton::clicked, this, &RecordsBrowser::refresh);
    connect(m_copyButton, &QPushButton::clicked, this, &RecordsBrowser::copyRecord);
    updateCountLabel();
}

void RecordsBrowser::applyFiltersSoon()
{
    m_filterTimer->start();
}

void RecordsBrowser::setConnection(const ConnectionInfo &connection, const ConnectorMetadata *metadata)
{
    // An edit can change a files or GraphQL connection's entities: then the picker is rebuilt.
    const bool same = connection.id == m_connection.id && !m_entity->currentText().isEmpty() &&
                      (metadata ? metadata->entityNames() : QStringList()) == m_metadata.entityNames();
    m_connection = connection;
    m_metadata = metadata ? *metadata : ConnectorMetadata();
    if (same) {
        refresh();
        return;
    }
    // Entities: those the connector declares, then any other already in the catalog.
    QStringList names = m_metadata.entityNames();
    const QStringList synced = m_catalog ? m_catalog->syncedEntities(connection.id) : QStringList();
    for (const QString &name : synced)
        if (!names.contains(name))
            names << name;
    QString wanted = QSettings().value(QStringLiteral("records/lastEntity/%1").arg(connection.id)).toString();
    if (!names.contains(wanted))
        wanted = synced.isEmpty() ? names.value(0) : synced.first();
    {
        QSignalBlocker block(m_entity);
        m_entity->clear();
        for (const QString &name : names) {
            const EntityInfo *info = m_metadata.entity(name);
            m_entity->addItem(info && !info->label.isEmpty() ? info->label : name, name);
        }
        m_entity->setCurrentIndex(-1);
    }
    m_status->hide();
    if (names.isEmpty()) {
        m_model->clear();
        return;
    }
    m_entity->setCurrentIndex(qMax(0, names.indexOf(wanted))); // loads through currentIndexChanged
}

void RecordsBrowser::setEntity(const QString &entity)
{
    const int index = m_entity->findData(entity);
    if (index >= 0 && index != m_entity->currentIndex())
        m_entity->setCurrentIndex(index);
    else if (index >= 0)
        refresh();
}

QString RecordsBrowser::currentEntity() const
{
    return m_entity->currentData().toString();
}

void RecordsBrowser::refresh()
{
    if (!currentEntity().isEmpty())
        m_model->refresh();
}

void RecordsBrowser::focusFilter()
{
    m_filter->setFocus();
    m_filter->selectAll();
}

void RecordsBrowser::updateCountLabel()
{
    const qint64 total = m_model->totalCount();
    const int loaded = m_model->rowCount();
    const RecordsQuery query = m_model->query();
    const bool filtered = !query.text.trimmed().isEmpty() || !query.columnFilters.isEmpty();
    QString text;
    if (query.entity.isEmpty())
        text = tr("No entity");
    else if (total < 0 && loaded == 0 && !m_model->lastError().isEmpty())
        text = tr("Not loaded"); // the error is shown under the grid
    else if (total < 0)
        text = loaded > 0 ? tr("%1+ records").arg(Format::count(loaded)) : tr("Loading…");
    else if (total == 0)
        text = filtered ? tr("No matching records") : tr("No records yet — run a sync");
    else
        text = (filtered ? tr("%1 matching") : tr("%1 records")).arg(Format::count(total));
    m_count->setText(text);
    m_exportButton->setEnabled(!query.entity.isEmpty() && total != 0 && m_exporter.isNull());
}

void RecordsBrowser::showSelectedRecord()
{
    const QModelIndex current = m_table->currentIndex();
    m_currentJson = current.isValid() ? m_model->recordJson(current.row()) : QByteArray();
    JsonTree::populate(m_tree, m_currentJson);
    m_copyButton->setEnabled(!m_currentJson.isEmpty());
    m_recordTitle->setText(current.isValid() ? tr("Record %1").arg(m_model->recordKey(current.row()))
                                             : tr("Select a record"));
}

void RecordsBrowser::copyRecord()
{
    if (m_currentJson.isEmpty())
        return;
    const QJsonDocument doc = QJsonDocument::fromJson(m_currentJson);
    QApplication::clipboard()->setText(doc.isNull() ? QString::fromUtf8(m_currentJson)
                                                    : QString::fromUtf8(doc.toJson(QJsonDocument::Indented)));
}

void RecordsBrowser::exportRecords()
{
    m_exportButton->showMenu();
}

void RecordsBrowser::showFilterProblems()
{
    const RecordsQuery query = m_model->query();
    QStringList problems;
    for (auto it = query.columnFilters.constBegin(); it != query.columnFilters.constEnd(); ++it) {
        const QString problem = query.filterProblem(it.key());
        if (!problem.isEmpty())
            problems << problem;
    }
    m_status->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_status->setText(problems.isEmpty() ? QString()
                                         : tr("Filter not applied: %1").arg(problems.join(QLatin1Char(' '))));
    m_status->setVisible(!problems.isEmpty());
}

void RecordsBrowser::showHeaderMenu(const QPoint &position)
{
    QMenu menu(this);
    const RecordsQuery query = m_model->query();
    const int clicked = m_header->logicalIndexAt(position);
    if (clicked >= 0 && clicked < query.columnCount()) {
        QAction *profile = menu.addAction(tr("Profile “%1”").arg(query.columnName(clicked)));
        connect(profile, &QAction::triggered, this, [this, clicked] { profileColumn(clicked); });
        menu.addSeparator();
    }
    QAction *nested = menu.addAction(tr("Show nested columns"));
    nested->setCheckable(true);
    bool anyNested = false, nestedShown = false;
    for (int c = 1; c < query.columnCount(); ++c) {
        if (query.fields.at(c - 1).path.contains(QLatin1Char('\t'))) {
            anyNested = true;
            nestedShown = nestedShown || !m_table->isColumnHidden(c);
        }
    }
    nested->setEnabled(anyNested);
    nested->setChecked(nestedShown);
    connect(nested, &QAction::toggled, this, [this, query](bool show) {
        for (int c = 1; c < query.columnCount(); ++c)
            if (query.fields.at(c - 1).path.contains(QLatin1Char('\t')))
                m_table->setColumnHidden(c, !show);
    });
    menu.addSeparator();
    QMenu *columns = menu.addMenu(tr("Columns"));
    for (int c = 1; c < query.columnCount(); ++c) {
        QAction *action = columns->addAction(query.columnName(c));
        action->setCheckable(true);
        action->setChecked(!m_table->isColumnHidden(c));
        connect(action, &QAction::toggled, this, [this, c](bool show) {
            m_table->setColumnHidden(c, !show);
            saveLayout();
        });
    }
    menu.exec(m_header->mapToGlobal(position));
}

bool RecordsBrowser::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table &&
        (event->type() == QEvent::KeyPress || event->type() == QEvent::ShortcutOverride)) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->matches(QKeySequence::Copy)) {
            if (event->type() == QEvent::KeyPress)
                copySelection();
            event->accept();
            return event->type() == QEvent::KeyPress;
        }
    }
    return QWidget::eventFilter(watched, event);
}

QString RecordsBrowser::layoutKey() const
{
    return QStringLiteral("records/layout/%1/%2/%3")
        .arg(m_connection.id)
        .arg(currentEntity())
        .arg(m_model->columnCount());
}

void RecordsBrowser::saveLayout()
{
    if (m_restoringLayout || currentEntity().isEmpty() || m_model->columnCount() == 0)
        return;
    QSettings().setValue(layoutKey(), m_header->saveState());
}

void RecordsBrowser::restoreLayout()
{
    // Keyed by the column count too: a schema that gained or lost columns starts from the default layout.
    const QByteArray state = QSettings().value(layoutKey()).toByteArray();
    if (state.isEmpty())
        return;
    m_restoringLayout = true;
    const int sortColumn = m_header->sortIndicatorSection();
    const Qt::SortOrder order = m_header->sortIndicatorOrder();
    m_header->restoreState(state);
    m_header->setSortIndicator(sortColumn, order); // the layout, not an old sort
    m_restoringLayout = false;
}

void RecordsBrowser::copySelection()
{
    // Every row is selectable (Ctrl+A takes a million): the clipboard takes what a spreadsheet would.
    qint64 cells = 0;
    for (const QItemSelectionRange &range : m_table->selectionModel()->selection())
        cells += qint64(range.height()) * range.width();
    if (cells > kMaxCopiedCells) {
        m_status->setStyleSheet(QString());
        m_status->setText(tr("%1 cells are selected; copying takes up to %2. Export the view to take more.")
                              .arg(Format::count(cells), Format::count(kMaxCopiedCells)));
        m_status->show();
        return;
    }
    QApplication::clipboard()->setText(selectionTsv());
}

QString RecordsBrowser::selectionTsv() const
{
    // The selected cells' rows and columns, in the order shown; a cell left out of a ragged selection is
    // empty. Spreadsheets read quoted fields, so a tab, newline or quote inside a value stays in its cell.
    const QModelIndexList cells = m_table->selectionModel()->selectedIndexes();
    if (cells.isEmpty())
        return {};
    QSet<QPair<int, int>> selected;
    QList<int> rows, columns;
    for (const QModelIndex &cell : cells) {
        selected.insert({cell.row(), cell.column()});
        if (!rows.contains(cell.row()))
            rows.append(cell.row());
        if (!columns.contains(cell.column()))
            columns.append(cell.column());
    }
    std::sort(rows.begin(), rows.end());
    std::sort(columns.begin(), columns.end(),
              [this](int a, int b) { return m_header->visualIndex(a) < m_header->visualIndex(b); });
    const auto field = [](QString text) {
        if (text.contains(QLatin1Char('\t')) || text.contains(QLatin1Char('\n')) ||
            text.contains(QLatin1Char('"')))
            text =
                QLatin1Char('"') + text.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
        return text;
    };
    QStringList lines, header;
    for (int column : std::as_const(columns))
        header << field(m_model->headerData(column, Qt::Horizontal).toString());
    lines << header.join(QLatin1Char('\t'));
    for (int row : std::as_const(rows)) {
        m_model->loadRowsNow(row, row); // a row scrolled past may not be held any more
        QStringList line;
        for (int column : std::as_const(columns))
            line << (selected.contains({row, column}) ? field(cellText(m_model->index(row, column)))
                                                      : QString());
        lines << line.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QString RecordsBrowser::cellText(const QModelIndex &index) const
{
    // The value itself (ISO timestamps, full numbers), not the display's local time or elided text.
    return RecordsQuery::toText(m_model->data(index, Qt::EditRole));
}

void RecordsBrowser::filterByCell(const QModelIndex &index, bool exclude)
{
    const QVariant value = m_model->data(index, Qt::EditRole);
    const QString text = value.isValid() ? RecordsQuery::toText(value) : QString();
    m_header->setFilterText(index.column(), (exclude ? QStringLiteral("!=") : QStringLiteral("=")) + text);
    applyFiltersSoon();
}

void RecordsBrowser::showCellMenu(const QPoint &position)
{
    const QModelIndex index = m_table->indexAt(position);
    if (!index.isValid())
        return;
    QMenu menu(this);
    menu.addAction(tr("Copy value"), this,
                   [this, index] { QApplication::clipboard()->setText(cellText(index)); });
    menu.addAction(tr("Copy selection (tab-separated, with headers)"), this, [this] { copySelection(); });
    menu.addAction(tr("Copy row as JSON"), this, [this, index] {
        QApplication::clipboard()->setText(
            QString::fromUtf8(QJsonDocument::fromJson(m_model->recordJson(index.row())).toJson()));
    });
    menu.addSeparator();
    // A whole object or array is no value to compare by.
    const QString shown = cellText(index);
    const bool comparable = !shown.startsWith(QLatin1Char('{')) && !shown.startsWith(QLatin1Char('['));
    const QString name = m_model->headerData(index.column(), Qt::Horizontal).toString();
    const QString quoted = shown.size() > 30 ? shown.left(29) + QStringLiteral("…") : shown;
    menu.addAction(tr("Filter: %1 = %2").arg(name, quoted), this,
                   [this, index] { filterByCell(index, false); })
        ->setEnabled(comparable);
    menu.addAction(tr("Exclude: %1 ≠ %2").arg(name, quoted), this,
                   [this, index] { filterByCell(index, true); })
        ->setEnabled(comparable);
    menu.exec(m_table->viewport()->mapToGlobal(position));
}

void RecordsBrowser::profileColumn(int column)
{
    // Kept per sync: the connection's last run names what its records are; none is kept while one runs.
    const std::optional<RunInfo> run = m_catalog->latestRun(m_connection.id);
    const QString syncKey =
        !run ? QStringLiteral("none")
        : run->status == QLatin1String("running")
            ? QString()
            : QStringLiteral("%1-%2").arg(run->id).arg(run->lastCommitAt.toMSecsSinceEpoch());
    m_sideTabs->setCurrentWidget(m_profile);
    m_profile->profile(m_model->query(), column, syncKey);
}

void RecordsBrowser::chooseExport(ExportFormat format)
{
    if (format == ExportFormat::Xlsx && m_model->totalCount() > kXlsxMaxRows) {
        QMessageBox::information(
            this, tr("Export records"),
            tr("This view has %1 rows; an Excel sheet holds at most %2 below its header. "
               "Filter the rows first, or export to CSV.")
                .arg(Format::count(m_model->totalCount()), Format::count(kXlsxMaxRows)));
        return;
    }
    ExportOptions options;
    options.format = format;
    if (format == ExportFormat::Csv && !askCsvOptions(this, &options))
        return;
    const QString dir = QSettings()
                            .value(QStringLiteral("records/exportDir"),
                                   QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                            .toString();
    const QString suffix = ExportOptions::suffix(format);
    const QString filter = format == ExportFormat::Csv    ? tr("CSV (*.csv)")
                           : format == ExportFormat::Xlsx ? tr("Excel workbook (*.xlsx)")
                                                          : tr("JSON Lines (*.jsonl)");
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export records"), dir + QLatin1Char('/') + currentEntity() + QLatin1Char('.') + suffix,
        filter);
    if (!path.isEmpty())
        exportTo(path, options);
}

bool RecordsBrowser::askCsvOptions(QWidget *parent, ExportOptions *options)
{
    // Remembered between exports: an analyst who needs semicolons for Excel needs them every time.
    QSettings settings;
    QDialog dialog(parent);
    dialog.setObjectName(QStringLiteral("csvOptions"));
    dialog.setWindowTitle(tr("CSV export"));
    auto *form = new QFormLayout(&dialog);
    auto *flatten = new QCheckBox(tr("Nested objects as their own columns (address.city)"), &dialog);
    flatten->setChecked(settings.value(QStringLiteral("export/flatten"), true).toBool());
    auto *nullEmpty = new QCheckBox(tr("Empty cell for a missing value (else the word null)"), &dialog);
    nullEmpty->setChecked(settings.value(QStringLiteral("export/nullAsEmpty"), true).toBool());
    auto *isoDates = new QCheckBox(tr("Dates as ISO-8601 UTC (else as the API sent them)"), &dialog);
    isoDates->setChecked(settings.value(QStringLiteral("export/isoDates"), true).toBool());
    auto *bom = new QCheckBox(tr("UTF-8 byte order mark, so Excel reads accents right"), &dialog);
    bom->setChecked(settings.value(QStringLiteral("export/bom"), false).toBool());
    auto *delimiter = new QComboBox(&dialog);
    delimiter->addItem(tr("Comma  ,"), QStringLiteral(","));
    delimiter->addItem(tr("Semicolon  ;"), QStringLiteral(";"));
    delimiter->addItem(tr("Tab"), QStringLiteral("\t"));
    delimiter->setCurrentIndex(qMax(
        0, delimiter->findData(settings.value(QStringLiteral("export/delimiter"), QStringLiteral(",")))));
    form->addRow(tr("Delimiter:"), delimiter);
    form->addRow(flatten);
    form->addRow(nullEmpty);
    form->addRow(isoDates);
    form->addRow(bom);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Choose file…"));
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return false;
    options->flatten = flatten->isChecked();
    options->nullAsEmpty = nullEmpty->isChecked();
    options->isoDates = isoDates->isChecked();
    options->utf8Bom = bom->isChecked();
    options->delimiter = delimiter->currentData().toString().at(0);
    settings.setValue(QStringLiteral("export/flatten"), options->flatten);
    settings.setValue(QStringLiteral("export/nullAsEmpty"), options->nullAsEmpty);
    settings.setValue(QStringLiteral("export/isoDates"), options->isoDates);
    settings.setValue(QStringLiteral("export/bom"), options->utf8Bom);
    settings.setValue(QStringLiteral("export/delimiter"), delimiter->currentData());
    return true;
}

bool RecordsBrowser::exportTo(const QString &path)
{
    ExportOptions options;
    options.format = ExportOptions::formatForPath(path);
    return exportTo(path, options);
}

bool RecordsBrowser::exportTo(const QString &path, const ExportOptions &options)
{
    if (m_exporter || m_model->query().entity.isEmpty())
        return false;
    QSettings().setValue(QStringLiteral("records/exportDir"), QFileInfo(path).absolutePath());
    // The exporter takes the model's query: the file holds exactly the filtered, sorted view.
    m_exporter = new RecordExporter(m_catalogPath, m_model->query(), path, options, this);
    auto *dialog = new QProgressDialog(
        tr("Exporting %1 to %2…").arg(currentEntity(), QFileInfo(path).fileName()), tr("Cancel"), 0, 0, this);
    dialog->setObjectName(QStringLiteral("exportProgress"));
    dialog->setWindowTitle(tr("Export records"));
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setMinimumDuration(400);
    dialog->setAutoClose(false);
    dialog->setAutoReset(false);
    connect(dialog, &QProgressDialog::canceled, m_exporter.data(), &RecordExporter::cancel);
    connect(m_exporter.data(), &RecordExporter::progress, dialog, [dialog](qint64 written, qint64 total) {
        if (total > 0) {
            // QProgressDialog is int-based: scale to per-mille for huge exports.
            dialog->setMaximum(1000);
            dialog->setValue(int(qMin<qint64>(1000, written * 1000 / total)));
            dialog->setLabelText(
                QObject::tr("Exported %1 of %2 records…").arg(Format::count(written), Format::count(total)));
        }
    });
    connect(
        m_exporter.data(), &RecordExporter::finished, this,
        [this, dialog, path](bool ok, qint64 rows, const QString &error) {
            dialog->close();
            dialog->deleteLater();
            m_exporter->deleteLater();
            m_exporter.clear();
            m_status->setStyleSheet(ok ? QString() : QStringLiteral("color: #c62828;"));
            m_status->setText(
                ok ? tr("Exported %1 to %2 · <a href=\"%3\">Open folder</a>")
                         .arg(Format::plural(rows, tr("record"), tr("records")),
                              QDir::toNativeSeparators(path).toHtmlEscaped(),
                              QUrl::fromLocalFile(QFileInfo(path).absolutePath()).toString().toHtmlEscaped())
                   : error.toHtmlEscaped());
            m_status->show();
            updateCountLabel();
            emit exportFinished(ok, rows, ok ? path : error);
        });
    updateCountLabel();
    m_exporter->start();
    return true;
}
