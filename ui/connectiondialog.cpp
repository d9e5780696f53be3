#include "connectiondialog.h"

#include "configform.h"
#include "format.h"
#include "svgicon.h"
#include "syncengine.h"
#include "testconnectionwidget.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

ConnectionDialog::ConnectionDialog(SyncEngine *engine, const ConnectorMetadata &metadata, Mode mode,
                                   const ConnectionInfo &existing, const QJsonObject &config,
                                   const QStringList &takenNames, QWidget *parent)
    : QDialog(parent)
    , m_engine(engine)
    , m_metadata(metadata)
    , m_mode(mode)
    , m_connectionId(mode == Mode::Edit ? existing.id : 0)
    , m_takenNames(takenNames)
{
    setObjectName(QStringLiteral("connectionDialog"));
    switch (mode) {
    case Mode::Add:
        setWindowTitle(tr("New %1 connection").arg(metadata.name));
        break;
    case Mode::Edit:
        setWindowTitle(tr("Edit connection “%1”").arg(existing.name));
        break;
    case Mode::Duplicate:
        setWindowTitle(tr("Duplicate connection “%1”").arg(existing.name));
        break;
    }
    setWindowIcon(Icons::connector(metadata.iconPath));

    auto *layout = new QVBoxLayout(this);

    // Header: connector icon, what this dialog does, the connector's description.
    auto *header = new QHBoxLayout;
    auto *icon = new QLabel(this);
    icon->setPixmap(Icons::connector(metadata.iconPath).pixmap(QSize(40, 40), devicePixelRatioF()));
    icon->setFixedSize(44, 44);
    icon->setAlignment(Qt::AlignCenter);
    header->addWidget(icon, 0, Qt::AlignTop);
    auto *title = new QLabel(this);
    title->setTextFormat(Qt::RichText);
    title->setWordWrap(true);
    title->setText(QStringLiteral("<b style=\"font-size:13pt\">%1</b><br>%2")
                       .arg(windowTitle().toHtmlEscaped(), metadata.description.toHtmlEscaped()));
    header->addWidget(title, 1);
    layout->addLayout(header);

    auto *line = new QFrame(this);
    line->setFrameShape(QFrame::HLine);
    line->setFrameShadow(QFrame::Sunken);
    layout->addWidget(line);

    // The form scrolls when a connector's spec is long; the buttons stay put.
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *content = new QWidget(scroll);
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 8, 0);

    auto *nameBox = new QWidget(content);
    auto *nameBoxLayout = new QVBoxLayout(nameBox);
    nameBoxLayout->setContentsMargins(0, 0, 0, 0);
    nameBoxLayout->setSpacing(2);
    m_name = new QLineEdit(nameBox);
    m_name->setObjectName(QStringLiteral("connectionName"));
    m_name->setPlaceholderText(tr("e.g. %1 — production").arg(metadata.name));
    m_nameError = new QLabel(nameBox);
    m_nameError->setObjectName(QStringLiteral("error_name"));
    m_nameError->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_nameError->hide();
    auto *nameHelp =
        new QLabel(tr("How this connection appears in the app, the CLI and SQL view names."), nameBox);
    nameHelp->setWordWrap(true);
    QPalette helpPalette = nameHelp->palette();
    helpPalette.setColor(QPalette::WindowText, Format::dimText(helpPalette));
    nameHelp->setPalette(helpPalette);
    QFont helpFont = nameHelp->font();
    helpFont.setPointSizeF(helpFont.pointSizeF() * 0.9);
    nameHelp->setFont(helpFont);
    nameBoxLayout->addWidget(m_name);
    nameBoxLayout->addWidget(nameHelp);
    nameBoxLayout->addWidget(m_nameError);
    auto *nameLabel = new QLabel(tr("Name <span style=\"color:#c62828\">*</span>"), content);
    nameLabel->setBuddy(m_name);
    m_form = new ConfigForm(metadata.config, content);
    m_form->setObjectName(QStringLiteral("configForm"));
    m_form->insertLeadingRow(nameLabel, nameBox);
    contentLayout->addWidget(m_form);
    contentLayout->addStretch(1);
    scroll->setWidget(content);
    layout->addWidget(scroll, 1);

    m_tester = new TestConnectionWidget(engine, this);
    m_tester->setConfigProvider([this](QString *connectorId, QJsonObject *config) {
        bool ok = false;
        const QStringList other = m_form->validate(&ok, m_storedSecrets);
        m_generalError->setText(other.join(QLatin1Char('\n')));
        m_generalError->setVisible(!other.isEmpty());
        if (!ok)
            return false;
        *connectorId = m_metadata.id;
        *config = effectiveConfig();
        return true;
    });
    layout->addWidget(m_tester);

    m_generalError = new QLabel(this);
    m_generalError->setObjectName(QStringLiteral("dialogError"));
    m_generalError->setWordWrap(true);
    m_generalError->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_generalError->hide();
    layout->addWidget(m_generalError);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    m_saveButton = buttons->button(QDialogButtonBox::Save);
    m_saveButton->setObjectName(QStringLiteral("saveButton"));
    m_saveButton->setDefault(true);
    buttons->button(QDialogButtonBox::Cancel)->setObjectName(QStringLiteral("cancelButton"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectionDialog::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(this, &QDialog::rejected, m_tester, &TestConnectionWidget::cancelTest);

    // Prefill.
    QString name;
    if (mode == Mode::Edit)
        name = existing.name;
    else if (mode == Mode::Duplicate) {
        name = tr("%1 (copy)").arg(existing.name);
        for (int n = 2; m_takenNames.contains(name); ++n)
            name = tr("%1 (copy %2)").arg(existing.name).arg(n);
    } else {
        name = metadata.name;
        for (int n = 2; m_takenNames.contains(name); ++n)
            name = QStringLiteral("%1 %2").arg(metadata.name).arg(n);
    }
    m_name->setText(name);
    // Saved secrets stay out of the form: an empty secret field means "keep the saved one".
    QJsonObject visible = config;
    for (const QString &field : metadata.secretFieldNames()) {
        if (mode != Mode::Add && !config.value(field).toString().isEmpty()) {
            m_storedSecrets.insert(field, config.value(field));
            visible.remove(field);
        }
    }
    m_form->setValues(visible);
    for (auto it = m_storedSecrets.begin(); it != m_storedSecrets.end(); ++it)
        m_form->setPlaceholder(it.key(), tr("Saved — leave empty to keep it"));
    connect(m_name, &QLineEdit::textEdited, this, [this] { m_nameError->hide(); });
    connect(m_form, &ConfigForm::edited, m_tester, &TestConnectionWidget::clearVerdict);

    resize(640, 560);
    // Start where the user has to type: the first required field still empty (the key, when adding).
    QWidget *first = m_name;
    if (mode != Mode::Edit) {
        for (const ConfigField &field : metadata.config) {
            auto *edit = qobject_cast<QLineEdit *>(m_form->editor(field.name));
            if (field.required && edit && edit->text().isEmpty() && !m_storedSecrets.contains(field.name)) {
                first = edit;
                break;
            }
        }
    }
    first->setFocus();
}

QString ConnectionDialog::connectionName() const
{
    return m_name->text().trimmed();
}

bool ConnectionDialog::validateName()
{
    const QString name = connectionName();
    QString problem;
    if (name.isEmpty())
        problem = tr("A name is required.");
    else if (m_takenNames.contains(name, Qt::CaseInsensitive))
        problem = tr("Another connection is already called “%1”.").arg(name);
    m_nameError->setText(problem);
    m_nameError->setVisible(!problem.isEmpty());
    return problem.isEmpty();
}

QJsonObject ConnectionDialog::effectiveConfig() const
{
    QJsonObject config = m_form->values();
    for (auto it = m_storedSecrets.begin(); it != m_storedSecrets.end(); ++it)
        if (config.value(it.key()).toString().isEmpty())
            config.insert(it.key(), it.value());
    return config;
}

bool ConnectionDialog::save()
{
    m_generalError->hide();
    const bool nameOk = validateName();
    bool formOk = false;
    const QStringList other = m_form->validate(&formOk, m_storedSecrets);
    if (!other.isEmpty()) {
        m_generalError->setText(other.join(QLatin1Char('\n')));
        m_generalError->show();
    }
    if (!nameOk || !formOk) {
        if (!nameOk)
            m_name->setFocus();
        return false; // nothing saved: the problems are shown where the user typed
    }
    QString error;
    // Writes through the engine: the catalog row on the writer thread, the secrets to the secret store.
    const qint64 id =
        m_engine->saveConnection(m_connectionId, connectionName(), m_metadata.id, effectiveConfig(), &error);
    if (id <= 0) {
        m_generalError->setText(error.isEmpty() ? tr("The connection could not be saved.") : error);
        m_generalError->show();
        return false;
    }
    m_savedId = id;
    emit saved(id);
    accept();
    return true;
}
