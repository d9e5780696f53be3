#include "configform.h"

#include "format.h"
#include "svgicon.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QFrame>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSpinBox>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include <limits>

namespace {

QString jsonToText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (d == double(qint64(d)))
            return QString::number(qint64(d));
        return QString::number(d);
    }
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Array: {
        QStringList items;
        for (const QJsonValue &item : value.toArray())
            items << jsonToText(item);
        return items.join(QStringLiteral(", "));
    }
    default:
        return {};
    }
}

// What a List field's text box shows: strings one per line; a list holding objects (GraphQL queries, file
// entity definitions) as indented JSON, so nothing is lost when the connection is edited.
QString listToText(const QJsonValue &value)
{
    if (value.isString()) {
        // JSON text stored as a string (the connectors accept it): shown indented when it parses.
        const QString text = value.toString();
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
        if (error.error == QJsonParseError::NoError && !document.isNull())
            return QString::fromUtf8(document.toJson(QJsonDocument::Indented)).trimmed();
        return text;
    }
    if (!value.isArray())
        return jsonToText(value);
    const QJsonArray array = value.toArray();
    bool allStrings = true;
    for (const QJsonValue &item : array)
        allStrings = allStrings && item.isString() && !item.toString().contains(QLatin1Char('\n')) &&
                     !item.toString().contains(QLatin1Char(','));
    // A first item that looks like JSON would be read back as JSON: such a list stays JSON too.
    if (allStrings && !array.isEmpty())
        allStrings = !array.first().toString().startsWith(QLatin1Char('[')) &&
                     !array.first().toString().startsWith(QLatin1Char('{'));
    if (allStrings) {
        QStringList lines;
        for (const QJsonValue &item : array)
            lines << item.toString();
        return lines.join(QLatin1Char('\n'));
    }
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented)).trimmed();
}

// The inverse of listToText(). Text starting with '[' or '{' is JSON (an object is a one-item list);
// anything else is one item per line (commas also separate, as the single-line form used to).
QJsonValue textToList(const QString &raw, QString *error)
{
    const QString text = raw.trimmed();
    if (text.isEmpty())
        return QJsonValue(QJsonValue::Undefined);
    if (text.startsWith(QLatin1Char('[')) || text.startsWith(QLatin1Char('{'))) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            const QString before = text.left(parseError.offset);
            const int line = int(before.count(QLatin1Char('\n'))) + 1;
            const int column = int(parseError.offset - before.lastIndexOf(QLatin1Char('\n')));
            if (error)
                *error = QObject::tr("Not valid JSON: %1 at line %2, column %3")
                             .arg(parseError.errorString())
                             .arg(line)
                             .arg(column);
            return QJsonValue(text); // kept as typed; validate() refuses to save it
        }
        return document.isArray() ? QJsonValue(document.array()) : QJsonValue(QJsonArray{document.object()});
    }
    QJsonArray items;
    for (const QString &part : text.split(QRegularExpression(QStringLiteral("[,\\n]")), Qt::SkipEmptyParts))
        if (!part.trimmed().isEmpty())
            items.append(part.trimmed());
    return items;
}

} // namespace

ConfigForm::ConfigForm(const ConfigSpec &spec, QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    // One form for basic and advanced fields, so their labels line up; advanced rows are shown on demand.
    m_layout = new QFormLayout;
    m_layout->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    m_layout->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    layout->addLayout(m_layout);

    m_advancedToggle = new QToolButton(this);
    m_advancedToggle->setObjectName(QStringLiteral("advancedToggle"));
    m_advancedToggle->setText(tr("Advanced settings"));
    m_advancedToggle->setCheckable(true);
    m_advancedToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_advancedToggle->setArrowType(Qt::RightArrow);
    m_advancedToggle->setAutoRaise(true);
    m_advancedToggle->setStyleSheet(
        QStringLiteral("QToolButton { border: none; font-weight: bold; padding: 6px 0; }"));
    m_advancedToggle->setToolTip(tr("Base URL, request pacing, page size, retries and timeouts"));
    connect(m_advancedToggle, &QToolButton::toggled, this, &ConfigForm::setAdvancedExpanded);

    m_fields.reserve(spec.size());
    for (const ConfigField &configField : spec) {
        Field f;
        f.spec = configField;
        m_fields.append(f);
    }
    // Basic fields first, then the toggle, then the advanced ones (whatever order the spec lists them in).
    QList<Field *> ordered;
    for (Field &f : m_fields)
        if (!f.spec.advanced)
            ordered << &f;
    for (Field &f : m_fields)
        if (f.spec.advanced)
            ordered << &f;
    bool toggleAdded = false;
    for (Field *fp : ordered) {
        Field &f = *fp;
        if (f.spec.advanced && !toggleAdded) {
            m_layout->addRow(m_advancedToggle);
            toggleAdded = true;
        }
        f.container = new QWidget(this);
        auto *box = new QVBoxLayout(f.container);
        box->setContentsMargins(0, 0, 0, 0);
        box->setSpacing(2);
        f.editor = createEditor(f);
        f.editor->setObjectName(QStringLiteral("field_%1").arg(f.spec.name));
        f.editor->setToolTip(f.spec.help);
        box->addWidget(f.editor);
        if (!f.spec.help.isEmpty()) {
            auto *help = new QLabel(f.spec.help, f.container);
            help->setObjectName(QStringLiteral("help_%1").arg(f.spec.name));
            help->setWordWrap(true);
            help->setProperty("role", QStringLiteral("help"));
            QPalette palette = help->palette();
            palette.setColor(QPalette::WindowText, Format::dimText(palette));
            help->setPalette(palette);
            QFont font = help->font();
            font.setPointSizeF(font.pointSizeF() * 0.9);
            help->setFont(font);
            box->addWidget(help);
        }
        f.error = new QLabel(f.container);
        f.error->setObjectName(QStringLiteral("error_%1").arg(f.spec.name));
        f.error->setWordWrap(true);
        f.error->setStyleSheet(QStringLiteral("color: #c62828;"));
        f.error->hide();
        box->addWidget(f.error);

        QString label = f.spec.label.isEmpty() ? f.spec.name : f.spec.label;
        auto *labelWidget = new QLabel(f.container);
        labelWidget->setTextFormat(Qt::RichText);
        labelWidget->setText(
            label.toHtmlEscaped() +
            (f.spec.required ? QStringLiteral(" <span style=\"color:#c62828\">*</span>") : QString()));
        labelWidget->setBuddy(f.editor);
        labelWidget->setToolTip(f.spec.required ? tr("Required") : QString());
        if (f.spec.type == ConfigField::Type::Boolean)
            labelWidget->setText(QString()); // the checkbox carries the label
        m_layout->addRow(labelWidget, f.container);
    }
    if (!toggleAdded)
        m_advancedToggle->hide();
    setValues({});
}

QWidget *ConfigForm::createEditor(Field &f)
{
    const ConfigField &spec = f.spec;
    switch (spec.type) {
    case ConfigField::Type::Boolean: {
        auto *check = new QCheckBox(spec.label.isEmpty() ? spec.name : spec.label, f.container);
        connect(check, &QCheckBox::toggled, this, [this] {
            updateVisibility();
            emit edited();
        });
        return check;
    }
    case ConfigField::Type::Select: {
        auto *combo = new QComboBox(f.container);
        if (!spec.required && spec.defaultValue.isNull())
            combo->addItem(tr("(not set)"), QString());
        for (const QString &option : spec.options)
            combo->addItem(option, option);
        connect(combo, &QComboBox::currentIndexChanged, this, [this] {
            updateVisibility();
            emit edited();
        });
        return combo;
    }
    case ConfigField::Type::Integer:
        return createIntegerEditor(f);
    case ConfigField::Type::List: {
        // Multi-line: one item per line, or a JSON list of objects that must survive editing intact.
        auto *text = new QPlainTextEdit(f.container);
        text->setTabChangesFocus(true);
        text->setLineWrapMode(QPlainTextEdit::NoWrap);
        // The spec's one-line example ("a=x, b=y") shown as the one-per-line form this box takes.
        QString placeholder = spec.placeholder.isEmpty() ? tr("One item per line") : spec.placeholder;
        if (!placeholder.startsWith(QLatin1Char('[')) && !placeholder.startsWith(QLatin1Char('{')))
            placeholder.replace(QStringLiteral(", "), QStringLiteral("\n"));
        text->setPlaceholderText(placeholder);
        // As tall as its content (3 to 14 lines), not stretched over the dialog.
        text->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        auto fit = [text] {
            const int lines = qBound(3, text->document()->blockCount() + 1, 14);
            text->setFixedHeight(text->fontMetrics().lineSpacing() * lines + 2 * text->frameWidth() + 10);
        };
        fit();
        connect(text, &QPlainTextEdit::blockCountChanged, text, fit);
        connect(text, &QPlainTextEdit::textChanged, this, [this, text, name = spec.name] {
            if (m_settingValues)
                return;
            // Typing into a field clears its error, as for line edits; the JSON is checked on save.
            userEdited(name, text->hasFocus());
        });
        return text;
    }
    default:
        break;
    }
    auto *edit = new QLineEdit(f.container);
    edit->setClearButtonEnabled(spec.type != ConfigField::Type::Secret);
    QString placeholder = spec.placeholder;
    if (placeholder.isEmpty()) {
        if (spec.type == ConfigField::Type::Url)
            placeholder = QStringLiteral("https://");
        else if (!spec.defaultValue.isNull())
            placeholder = tr("Default: %1").arg(jsonToText(spec.defaultValue));
    }
    edit->setPlaceholderText(placeholder);
    if (spec.type == ConfigField::Type::Secret) {
        // Masked by default; the eye toggles it (and the text never leaves this widget except to the store).
        edit->setEchoMode(QLineEdit::Password);
        edit->setInputMethodHints(Qt::ImhHiddenText | Qt::ImhNoPredictiveText | Qt::ImhNoAutoUppercase);
        QAction *reveal = edit->addAction(Icons::ui(QStringLiteral("eye")), QLineEdit::TrailingPosition);
        reveal->setObjectName(QStringLiteral("reveal_%1").arg(spec.name));
        reveal->setCheckable(true);
        reveal->setToolTip(tr("Show the value"));
        connect(reveal, &QAction::toggled, edit, [edit, reveal](bool shown) {
            edit->setEchoMode(shown ? QLineEdit::Normal : QLineEdit::Password);
            reveal->setIcon(Icons::ui(shown ? QStringLiteral("eye-off") : QStringLiteral("eye")));
            reveal->setToolTip(shown ? QObject::tr("Hide the value") : QObject::tr("Show the value"));
        });
    }
    if (spec.type == ConfigField::Type::Path) {
        // Browse… offers both a file and a folder: the files connector reads either.
        QAction *browse =
            edit->addAction(style()->standardIcon(QStyle::SP_DirOpenIcon), QLineEdit::TrailingPosition);
        browse->setObjectName(QStringLiteral("browse_%1").arg(spec.name));
        browse->setToolTip(tr("Choose a file or a folder"));
        auto *menu = new QMenu(edit);
        auto choose = [this, edit, name = spec.name](bool folder) {
            const QString start =
                edit->text().trimmed().isEmpty() ? QDir::homePath() : edit->text().trimmed();
            const QString chosen = folder
                                       ? QFileDialog::getExistingDirectory(this, tr("Choose a folder"), start)
                                       : QFileDialog::getOpenFileName(this, tr("Choose a file"), start,
                                                                      tr("Data files (*.csv *.tsv *.jsonl "
                                                                         "*.ndjson);;All files (*)"));
            if (chosen.isEmpty())
                return;
            edit->setText(QDir::toNativeSeparators(chosen));
            userEdited(name);
        };
        menu->addAction(tr("Choose a folder…"), edit, [choose] { choose(true); });
        menu->addAction(tr("Choose a file…"), edit, [choose] { choose(false); });
        connect(browse, &QAction::triggered, edit,
                [menu, edit] { menu->popup(edit->mapToGlobal(QPoint(edit->width() - 20, edit->height()))); });
    }
    connect(edit, &QLineEdit::textEdited, this, [this, name = spec.name] { userEdited(name); });
    return edit;
}

QWidget *ConfigForm::createIntegerEditor(Field &f)
{
    // A spin box over the spec's range: a value that cannot work cannot be typed. A field without a
    // default gets one step below the range that reads "Not set" and saves nothing.
    const ConfigField &spec = f.spec;
    auto *spin = new QSpinBox(f.container);
    constexpr qint64 kIntMax = std::numeric_limits<int>::max();
    const int low = int(qBound(-kIntMax, spec.minimum, kIntMax));
    const int high = int(qBound(qint64(low), spec.maximum, kIntMax));
    const bool unset = spec.defaultValue.isNull() && !spec.required;
    spin->setRange(unset ? low - 1 : low, high);
    if (unset)
        spin->setSpecialValueText(tr("Not set"));
    spin->setGroupSeparatorShown(true);
    spin->setAccelerated(true);
    spin->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    spin->setToolTip(tr("From %1 to %2").arg(QLocale().toString(low), QLocale().toString(high)));
    connect(spin, &QSpinBox::valueChanged, this, [this, name = spec.name] {
        if (!m_settingValues)
            userEdited(name);
    });
    return spin;
}

void ConfigForm::userEdited(const QString &name, bool clearError)
{
    // Editing a field clears its error: the user is fixing it.
    if (Field *f = field(name); f && clearError)
        setFieldError(*f, QString());
    updateVisibility();
    emit edited();
}

ConfigForm::Field *ConfigForm::field(const QString &name)
{
    for (Field &f : m_fields)
        if (f.spec.name == name)
            return &f;
    return nullptr;
}

const ConfigForm::Field *ConfigForm::field(const QString &name) const
{
    for (const Field &f : m_fields)
        if (f.spec.name == name)
            return &f;
    return nullptr;
}

QWidget *ConfigForm::editor(const QString &name) const
{
    const Field *f = field(name);
    return f ? f->editor : nullptr;
}

void ConfigForm::insertLeadingRow(QWidget *label, QWidget *field)
{
    m_layout->insertRow(0, label, field);
}

void ConfigForm::setPlaceholder(const QString &name, const QString &text)
{
    Field *f = field(name);
    if (auto *edit = f ? qobject_cast<QLineEdit *>(f->editor) : nullptr)
        edit->setPlaceholderText(text);
}

QString ConfigForm::setValue(Field &f, const QJsonValue &value)
{
    if (auto *check = qobject_cast<QCheckBox *>(f.editor)) {
        check->setChecked(value.isBool() ? value.toBool() : jsonToText(value) == QLatin1String("true"));
    } else if (auto *combo = qobject_cast<QComboBox *>(f.editor)) {
        const int index = combo->findData(jsonToText(value));
        combo->setCurrentIndex(index >= 0 ? index : 0);
    } else if (auto *spin = qobject_cast<QSpinBox *>(f.editor)) {
        return setIntegerValue(spin, value);
    } else if (auto *edit = qobject_cast<QLineEdit *>(f.editor)) {
        edit->setText(jsonToText(value));
    } else if (auto *text = qobject_cast<QPlainTextEdit *>(f.editor)) {
        text->setPlainText(listToText(value));
    }
    return {};
}

QJsonValue ConfigForm::value(const Field &f) const
{
    if (auto *check = qobject_cast<QCheckBox *>(f.editor))
        return check->isChecked();
    if (auto *text = qobject_cast<QPlainTextEdit *>(f.editor))
        return textToList(text->toPlainText(), nullptr);
    if (auto *spin = qobject_cast<QSpinBox *>(f.editor)) {
        if (!spin->specialValueText().isEmpty() && spin->value() == spin->minimum())
            return QJsonValue(QJsonValue::Undefined);
        return qint64(spin->value());
    }
    if (auto *combo = qobject_cast<QComboBox *>(f.editor)) {
        const QString text = combo->currentData().toString();
        return text.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(text);
    }
    auto *edit = qobject_cast<QLineEdit *>(f.editor);
    if (!edit)
        return QJsonValue(QJsonValue::Undefined);
    const QString text = edit->text().trimmed();
    if (text.isEmpty())
        return QJsonValue(QJsonValue::Undefined);
    if (f.spec.type == ConfigField::Type::List)
        return textToList(text, nullptr);
    return text;
}

void ConfigForm::setValues(const QJsonObject &config)
{
    m_settingValues = true;
    QHash<QString, QString> problems; // saved values the editors could not show as they were
    for (Field &f : m_fields) {
        const QString problem =
            setValue(f, config.contains(f.spec.name) ? config.value(f.spec.name) : f.spec.defaultValue);
        if (!problem.isEmpty())
            problems.insert(f.spec.name, problem);
    }
    m_settingValues = false;
    clearProblems();
    for (Field &f : m_fields)
        if (problems.contains(f.spec.name))
            setFieldError(f, problems.value(f.spec.name));
    updateVisibility();
}

QString ConfigForm::setIntegerValue(QSpinBox *spin, const QJsonValue &value)
{
    const bool unset = !spin->specialValueText().isEmpty();
    if (value.isNull() || value.isUndefined()) {
        spin->setValue(spin->minimum()); // "Not set" where the field has one
        return {};
    }
    const qint64 wanted = value.isDouble() ? value.toInteger() : jsonToText(value).toLongLong();
    const int low = unset ? spin->minimum() + 1 : spin->minimum();
    const qint64 shown = qBound(qint64(low), wanted, qint64(spin->maximum()));
    spin->setValue(int(shown));
    // A saved value from before the range existed (timeout_ms 0): say what changed, never silently.
    if (shown == wanted)
        return {};
    return tr("%1 was saved, which cannot work; it is now %2 (from %3 to %4). Save to keep it.")
        .arg(QLocale().toString(wanted), QLocale().toString(shown), QLocale().toString(low),
             QLocale().toString(spin->maximum()));
}

bool ConfigForm::isRelevant(const Field &f) const
{
    if (f.spec.showIf.isEmpty())
        return true;
    // "field=value" (or "field!=value"): relevant only when the other field currently has that value.
    const bool negate = f.spec.showIf.contains(QLatin1String("!="));
    const QString separator = negate ? QStringLiteral("!=") : QStringLiteral("=");
    const int at = f.spec.showIf.indexOf(separator);
    if (at <= 0)
        return true;
    const QString other = f.spec.showIf.left(at).trimmed();
    const QStringList wanted =
        f.spec.showIf.mid(at + separator.size()).trimmed().split(QLatin1Char('|'), Qt::SkipEmptyParts);
    const Field *controller = field(other);
    if (!controller)
        return true;
    if (!isRelevant(*controller))
        return false;
    const QString current = jsonToText(value(*controller));
    return wanted.contains(current) != negate;
}

void ConfigForm::updateVisibility()
{
    const bool expanded = m_advancedToggle->isChecked();
    for (Field &f : m_fields)
        m_layout->setRowVisible(f.container, isRelevant(f) && (!f.spec.advanced || expanded));
}

QJsonObject ConfigForm::values() const
{
    QJsonObject config;
    for (const Field &f : m_fields) {
        if (!isRelevant(f))
            continue;
        const QJsonValue v = value(f);
        if (!v.isUndefined())
            config.insert(f.spec.name, v);
    }
    return config;
}

void ConfigForm::setFieldError(Field &f, const QString &message)
{
    f.error->setText(message);
    f.error->setVisible(!message.isEmpty());
    f.editor->setProperty("invalid", !message.isEmpty());
    f.editor->setStyleSheet(
        message.isEmpty()
            ? QString()
            : QStringLiteral("QLineEdit, QComboBox, QPlainTextEdit, QSpinBox { border: 1px solid #c62828; "
                             "border-radius: 3px; padding: 2px; }"));
}

void ConfigForm::clearProblems()
{
    for (Field &f : m_fields)
        setFieldError(f, QString());
}

QStringList ConfigForm::showProblems(const QStringList &problems)
{
    clearProblems();
    QStringList unplaced;
    for (const QString &problem : problems) {
        // validateConfigAgainstSpec() names the field first: "api_key: required".
        const int colon = problem.indexOf(QLatin1Char(':'));
        Field *f = colon > 0 ? field(problem.left(colon).trimmed()) : nullptr;
        if (!f) {
            for (Field &candidate : m_fields) {
                if (problem.startsWith(candidate.spec.name + QLatin1Char(' ')) ||
                    (!candidate.spec.label.isEmpty() && problem.startsWith(candidate.spec.label))) {
                    f = &candidate;
                    break;
                }
            }
        }
        if (!f || !isRelevant(*f)) {
            unplaced << problem;
            continue;
        }
        QString message = colon > 0 && problem.left(colon).trimmed() == f->spec.name
                              ? problem.mid(colon + 1).trimmed()
                              : problem;
        if (!f->spec.label.isEmpty() && message.endsWith(QStringLiteral(" (%1)").arg(f->spec.label)))
            message.chop(f->spec.label.size() + 3); // "required (Secret key)" under the "Secret key" field
        if (!message.isEmpty())
            message[0] = message.at(0).toUpper();
        const QString previous = f->error->text();
        setFieldError(*f, previous.isEmpty() ? message : previous + QLatin1Char('\n') + message);
        if (f->spec.advanced)
            setAdvancedExpanded(true);
    }
    return unplaced;
}

QStringList ConfigForm::validate(bool *ok, const QJsonObject &fallback)
{
    ConfigSpec spec;
    for (const Field &f : m_fields)
        if (isRelevant(f))
            spec.append(f.spec);
    QJsonObject config = values();
    for (auto it = fallback.begin(); it != fallback.end(); ++it)
        if (!config.contains(it.key()) && field(it.key()) && isRelevant(*field(it.key())))
            config.insert(it.key(), it.value());
    QStringList problems = validateConfigAgainstSpec(spec, config);
    // JSON typed into a List box that does not parse: said under the box, never saved as a string.
    for (const Field &f : m_fields) {
        auto *text = qobject_cast<QPlainTextEdit *>(f.editor);
        QString error;
        if (text && isRelevant(f) && (textToList(text->toPlainText(), &error), !error.isEmpty()))
            problems << QStringLiteral("%1: %2").arg(f.spec.name, error);
    }
    if (ok)
        *ok = problems.isEmpty();
    const QStringList unplaced = showProblems(problems);
    // Focus the first field with a problem so the user sees it.
    for (Field &f : m_fields) {
        if (!f.error->text().isEmpty()) {
            f.editor->setFocus();
            break;
        }
    }
    return unplaced;
}

QStringList ConfigForm::fieldsWithErrors() const
{
    QStringList names;
    for (const Field &f : m_fields)
        if (!f.error->text().isEmpty())
            names << f.spec.name;
    return names;
}

bool ConfigForm::isAdvancedExpanded() const
{
    return m_advancedToggle->isChecked();
}

void ConfigForm::setAdvancedExpanded(bool expanded)
{
    if (m_advancedToggle->isChecked() != expanded)
        m_advancedToggle->setChecked(expanded); // re-enters through toggled()
    m_advancedToggle->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
    updateVisibility();
}
