/* ms-importer.c
 *
 * Copyright 2026 The Mailshot authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <https://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ms-importer"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ms-address.h"
#include "ms-csv-reader.h"
#include "ms-import-private.h"
#include "ms-importer.h"
#include "ms-json.h"

#define BATCH_ROWS        MS_IMPORT_BATCH_ROWS
#define BATCH_BYTES       (32 * 1024 * 1024)
#define N_BATCHES         2         /* one being read, one being written */
#define SAMPLE_ROWS       20
#define PROGRESS_INTERVAL (G_USEC_PER_SEC / 10)

/* A record kept aside while the columns are decided. */
typedef struct
{
  guint64         line;
  MsCsvRowStatus  status;
  gboolean        empty;
  guint           n_fields;
  char          **fields;
  gsize          *lengths;
} SavedRecord;

/* The start of a file: the header and the first records. */
typedef struct
{
  MsCsvReader  *reader;
  SavedRecord  *header;       /* NULL when the file has no header row */
  GPtrArray    *sample;       /* of SavedRecord, in order */
  guint         n_columns;
  MsFieldRole  *roles;
  char        **titles;       /* n_columns, as shown to people */
} Head;

typedef struct
{
  MsFieldRole  role;
  char        *key_json;      /* custom: the field name as a JSON string */
  gsize        key_length;
} Column;

/* One import.  A reading thread decodes, parses and checks the rows into
 * batches and sorts them; the calling thread writes each batch in one
 * transaction and calls the callbacks.  Two batches exist: one being filled
 * while the other is written, so memory stays bounded. */
typedef struct
{
  /* set up before the reading thread starts, then read-only */
  MsStore               *store;
  const MsImportOptions *options;
  GCancellable          *cancellable;
  Column                *columns;
  guint                  n_columns;
  int                    email_column;
  int                    name_column;
  int                    first_column;
  int                    last_column;

  /* reading thread only */
  MsCsvReader           *reader;
  Head                  *head;
  MsImportBatch         *batch;         /* being filled */
  GString               *spare_text;    /* for _ms_import_batch_sort() */
  GArray                *spare_rows;
  guint64                rows_done;
  gboolean               any_data;

  /* between the threads */
  GAsyncQueue           *full;          /* batches to write, in file order */
  GAsyncQueue           *empty;         /* batches to fill */
  gint                   stop;          /* atomic: the writing side gave up */
  GMutex                 lock;
  guint64                live_rows;     /* under lock: where reading is */
  guint64                live_bytes;
  guint                  n_closed;      /* under lock: batches handed over */

  /* calling thread only */
  MsImportResult        *result;
  MsImportCounts         counts;        /* of the committed batches */
  guint64                committed_rejected;
  guint                  committed_kept;
  gint64                 list_id;
  MsImportCheckpointer  *checkpointer;
  guint                  n_taken;
  guint64                bytes_total;
  guint64                shown_rows;
  guint64                shown_bytes;
  gint64                 last_progress;
  MsImportProgressFunc   progress;
  MsImportRejectFunc     reject;
  gpointer               user_data;
} Importer;

G_DEFINE_QUARK (ms-import-error-quark, ms_import_error)

/* Header names, compared after dropping everything but letters and digits and
 * case-folding: "E-Mail-Adresse" is "emailadresse", "Имя и фамилия" is
 * "имяифамилия". */
static const struct
{
  const char  *key;
  MsFieldRole  role;
} known_titles[] = {
  { "email", MS_FIELD_ROLE_EMAIL },
  { "emails", MS_FIELD_ROLE_EMAIL },
  { "emailaddress", MS_FIELD_ROLE_EMAIL },
  { "emailaddr", MS_FIELD_ROLE_EMAIL },
  { "email1", MS_FIELD_ROLE_EMAIL },
  { "email1value", MS_FIELD_ROLE_EMAIL },        /* Google Contacts */
  { "mail", MS_FIELD_ROLE_EMAIL },
  { "mailaddress", MS_FIELD_ROLE_EMAIL },
  { "emailadresse", MS_FIELD_ROLE_EMAIL },
  { "mailadresse", MS_FIELD_ROLE_EMAIL },
  { "courriel", MS_FIELD_ROLE_EMAIL },
  { "adresseemail", MS_FIELD_ROLE_EMAIL },
  { "adresseélectronique", MS_FIELD_ROLE_EMAIL },
  { "correo", MS_FIELD_ROLE_EMAIL },
  { "correoelectrónico", MS_FIELD_ROLE_EMAIL },
  { "correoelectronico", MS_FIELD_ROLE_EMAIL },
  { "адрес", MS_FIELD_ROLE_EMAIL },
  { "почта", MS_FIELD_ROLE_EMAIL },
  { "emailадрес", MS_FIELD_ROLE_EMAIL },
  { "адресemail", MS_FIELD_ROLE_EMAIL },
  { "адреспочты", MS_FIELD_ROLE_EMAIL },
  { "электроннаяпочта", MS_FIELD_ROLE_EMAIL },
  { "адресэлектроннойпочты", MS_FIELD_ROLE_EMAIL },
  { "емейл", MS_FIELD_ROLE_EMAIL },
  { "имейл", MS_FIELD_ROLE_EMAIL },

  { "name", MS_FIELD_ROLE_NAME },
  { "fullname", MS_FIELD_ROLE_NAME },
  { "displayname", MS_FIELD_ROLE_NAME },
  { "contactname", MS_FIELD_ROLE_NAME },
  { "vollständigername", MS_FIELD_ROLE_NAME },
  { "nomcomplet", MS_FIELD_ROLE_NAME },
  { "nombrecompleto", MS_FIELD_ROLE_NAME },
  { "имяифамилия", MS_FIELD_ROLE_NAME },
  { "фамилияиимя", MS_FIELD_ROLE_NAME },
  { "фио", MS_FIELD_ROLE_NAME },
  { "полноеимя", MS_FIELD_ROLE_NAME },

  { "firstname", MS_FIELD_ROLE_FIRST_NAME },
  { "first", MS_FIELD_ROLE_FIRST_NAME },
  { "givenname", MS_FIELD_ROLE_FIRST_NAME },
  { "forename", MS_FIELD_ROLE_FIRST_NAME },
  { "vorname", MS_FIELD_ROLE_FIRST_NAME },
  { "prénom", MS_FIELD_ROLE_FIRST_NAME },
  { "prenom", MS_FIELD_ROLE_FIRST_NAME },
  { "nombre", MS_FIELD_ROLE_FIRST_NAME },
  { "имя", MS_FIELD_ROLE_FIRST_NAME },

  { "lastname", MS_FIELD_ROLE_LAST_NAME },
  { "last", MS_FIELD_ROLE_LAST_NAME },
  { "surname", MS_FIELD_ROLE_LAST_NAME },
  { "familyname", MS_FIELD_ROLE_LAST_NAME },
  { "nachname", MS_FIELD_ROLE_LAST_NAME },
  { "familienname", MS_FIELD_ROLE_LAST_NAME },
  { "nom", MS_FIELD_ROLE_LAST_NAME },
  { "apellido", MS_FIELD_ROLE_LAST_NAME },
  { "apellidos", MS_FIELD_ROLE_LAST_NAME },
  { "фамилия", MS_FIELD_ROLE_LAST_NAME },

  /* Mailshot's own export: the status belongs to Mailshot (bounces,
   * unsubscribes), an import never changes it */
  { "status", MS_FIELD_ROLE_IGNORE },
  { "statusreason", MS_FIELD_ROLE_IGNORE },
};

/* Helpers */

static void
saved_record_free (gpointer data)
{
  SavedRecord *saved = data;

  g_strfreev (saved->fields);
  g_free (saved->lengths);
  g_free (saved);
}

static SavedRecord *
saved_record_new (const MsCsvRecord *record)
{
  SavedRecord *saved = g_new0 (SavedRecord, 1);

  saved->line = record->line;
  saved->status = record->status;
  saved->empty = record->empty;
  saved->n_fields = record->n_fields;
  saved->fields = g_new0 (char *, record->n_fields + 1);
  saved->lengths = g_new0 (gsize, record->n_fields + 1);
  for (guint i = 0; i < record->n_fields; i++)
    {
      saved->fields[i] = g_strndup (record->fields[i], record->lengths[i]);
      saved->lengths[i] = record->lengths[i];
    }

  return saved;
}

static void
saved_record_view (const SavedRecord *saved,
                   MsCsvRecord       *record)
{
  record->line = saved->line;
  record->n_lines = 1;
  record->status = saved->status;
  record->empty = saved->empty;
  record->n_fields = saved->n_fields;
  record->fields = (const char **) saved->fields;
  record->lengths = saved->lengths;
}

static void
head_clear (Head *head)
{
  g_clear_pointer (&head->reader, ms_csv_reader_free);
  g_clear_pointer (&head->header, saved_record_free);
  g_clear_pointer (&head->sample, g_ptr_array_unref);
  g_clear_pointer (&head->roles, g_free);
  g_clear_pointer (&head->titles, g_strfreev);
}

/* Trims ASCII white space and no-break spaces. */
static void
trim_span (const char **start,
           gsize       *length)
{
  const char *s = *start;
  const char *e = s + *length;

  for (;;)
    {
      if (s < e && g_ascii_isspace (*s))
        s++;
      else if (e - s >= 2 && (guchar) s[0] == 0xC2 && (guchar) s[1] == 0xA0)
        s += 2;
      else
        break;
    }
  for (;;)
    {
      if (e > s && g_ascii_isspace (e[-1]))
        e--;
      else if (e - s >= 2 && (guchar) e[-2] == 0xC2 && (guchar) e[-1] == 0xA0)
        e -= 2;
      else
        break;
    }

  *start = s;
  *length = e - s;
}

static char *
normalize_title (const char *title)
{
  g_autofree char *folded = NULL;
  GString *key;

  folded = g_utf8_casefold (title, -1);
  key = g_string_new (NULL);
  for (const char *p = folded; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c))
        g_string_append_unichar (key, c);
    }

  return g_string_free (key, FALSE);
}

static gboolean
cell_is_address (const char *text,
                 gsize       length)
{
  g_autoptr(GString) out = g_string_new (NULL);

  return ms_address_normalize_into (text, length, out, NULL);
}

static const char *
row_status_reason (MsCsvRowStatus  status,
                   const char     *encoding,
                   char          **free_me)
{
  switch (status)
    {
    case MS_CSV_ROW_FIELD_TOO_LARGE:
      return _("A field is too large (the limits are 1 MiB per field and 4 MiB per row)");
    case MS_CSV_ROW_TOO_MANY_FIELDS:
      *free_me = g_strdup_printf (_("The row has more than %d fields"), MS_CSV_MAX_FIELDS);
      return *free_me;
    case MS_CSV_ROW_UNTERMINATED_QUOTE:
      return _("A quoted field is never closed: the file ends inside it");
    case MS_CSV_ROW_UNDECODABLE:
      *free_me = g_strdup_printf (_("The row contains bytes that are not valid %s text; "
                                    "choose the file’s encoding"), encoding);
      return *free_me;
    case MS_CSV_ROW_OK:
    default:
      return _("The row cannot be read");
    }
}

/* A blank line, a line of delimiters, or of white space and delimiters */
static gboolean
record_is_blank (const MsCsvRecord *record)
{
  if (record->empty)
    return TRUE;
  if (record->status != MS_CSV_ROW_OK)
    return FALSE;

  for (guint i = 0; i < record->n_fields; i++)
    {
      const char *value = record->fields[i];
      gsize length = record->lengths[i];

      trim_span (&value, &length);
      if (length > 0)
        return FALSE;
    }

  return TRUE;
}

/* Reading the head of a file */

static const MsCsvRecord *
next_non_blank (MsCsvReader   *reader,
                GCancellable  *cancellable,
                GError       **error)
{
  const MsCsvRecord *record;

  while ((record = ms_csv_reader_next (reader, cancellable, error)) != NULL)
    if (!record_is_blank (record))
      return record;

  return NULL;
}

static void
guess_roles (Head *head)
{
  gboolean seen[MS_FIELD_ROLE_CUSTOM + 1] = { FALSE, };

  for (guint i = 0; i < head->n_columns; i++)
    {
      MsFieldRole role = ms_field_role_guess (head->titles[i]);

      /* the first column of a role wins, later ones are kept as custom fields */
      if (role != MS_FIELD_ROLE_CUSTOM && role != MS_FIELD_ROLE_IGNORE && seen[role])
        role = MS_FIELD_ROLE_CUSTOM;
      seen[role] = TRUE;
      head->roles[i] = role;
    }
}

/* When no title says "email": the one column whose sample values are mostly
 * addresses, or -1. */
static int
find_address_column (Head *head)
{
  int found = -1;

  for (guint c = 0; c < head->n_columns; c++)
    {
      guint non_empty = 0;
      guint valid = 0;

      for (guint r = 0; r < head->sample->len; r++)
        {
          SavedRecord *saved = g_ptr_array_index (head->sample, r);

          if (saved->status != MS_CSV_ROW_OK || c >= saved->n_fields || saved->lengths[c] == 0)
            continue;
          non_empty++;
          if (cell_is_address (saved->fields[c], saved->lengths[c]))
            valid++;
        }
      if (head->header != NULL && c < head->header->n_fields &&
          cell_is_address (head->header->fields[c], head->header->lengths[c]))
        {
          non_empty++;
          valid++;
        }

      if (valid > 0 && valid * 2 >= non_empty)
        {
          if (found >= 0)
            return -1;
          found = c;
        }
    }

  return found;
}

static void
make_headerless (Head *head)
{
  g_ptr_array_insert (head->sample, 0, g_steal_pointer (&head->header));
  for (guint i = 0; i < head->n_columns; i++)
    {
      g_free (head->titles[i]);
      head->titles[i] = g_strdup_printf (_("Column %u"), i + 1);
      head->roles[i] = MS_FIELD_ROLE_CUSTOM;
    }
}

static gboolean
check_user_roles (const MsImportOptions  *options,
                  GError                **error)
{
  guint n_email = 0;

  for (guint i = 0; i < options->n_roles; i++)
    {
      if (options->roles[i] > MS_FIELD_ROLE_CUSTOM)
        {
          g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_BAD_OPTION,
                       _("Column %u has an unknown role."), i + 1);
          return FALSE;
        }
      n_email += options->roles[i] == MS_FIELD_ROLE_EMAIL;
    }

  if (n_email > 1)
    {
      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_BAD_OPTION,
                   _("Only one column can hold the email address."));
      return FALSE;
    }
  if (n_email == 0)
    {
      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_NO_EMAIL_COLUMN,
                   _("No column is chosen as the email address."));
      return FALSE;
    }

  return TRUE;
}

/* Reads the header row and the first records, and decides the columns.
 * Roles come from options (if given) or from the titles, then from the values;
 * without need_email, a file where no column is found to hold addresses is
 * fine (the preview lets people choose). */
static gboolean
head_read (Head                   *head,
           GFile                  *file,
           const char             *encoding,
           gunichar                delimiter,
           const MsImportOptions  *options,
           guint                   n_sample,
           gboolean                need_email,
           GCancellable           *cancellable,
           GError                **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  const MsCsvRecord *record;
  int email_column = -1;

  memset (head, 0, sizeof *head);

  if (options != NULL && options->roles != NULL && !check_user_roles (options, error))
    return FALSE;

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return FALSE;

  head->reader = ms_csv_reader_new (G_INPUT_STREAM (stream), encoding, delimiter,
                                    cancellable, error);
  if (head->reader == NULL)
    return FALSE;

  record = next_non_blank (head->reader, cancellable, &local_error);
  if (record == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_EMPTY,
                     _("The file has only empty lines."));
      return FALSE;
    }
  if (record->status == MS_CSV_ROW_UNDECODABLE)
    {
      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_ENCODING,
                   _("The first row cannot be read as %s text; choose the file’s encoding."),
                   ms_csv_reader_get_encoding (head->reader));
      return FALSE;
    }
  if (record->status != MS_CSV_ROW_OK)
    {
      g_autofree char *free_me = NULL;

      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_FAILED,
                   _("The first row cannot be read: %s."),
                   row_status_reason (record->status, ms_csv_reader_get_encoding (head->reader),
                                      &free_me));
      return FALSE;
    }

  head->header = saved_record_new (record);
  head->n_columns = record->n_fields;
  head->sample = g_ptr_array_new_with_free_func (saved_record_free);
  while (head->sample->len < n_sample &&
         (record = ms_csv_reader_next (head->reader, cancellable, &local_error)) != NULL)
    g_ptr_array_add (head->sample, saved_record_new (record));
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  head->titles = g_new0 (char *, head->n_columns + 1);
  head->roles = g_new0 (MsFieldRole, head->n_columns);
  for (guint i = 0; i < head->n_columns; i++)
    {
      const char *title = head->header->fields[i];
      gsize length = head->header->lengths[i];

      trim_span (&title, &length);
      head->titles[i] = g_strndup (title, length);
    }

  if (options != NULL && options->roles != NULL)
    {
      for (guint i = 0; i < head->n_columns; i++)
        {
          head->roles[i] = i < options->n_roles ? options->roles[i] : MS_FIELD_ROLE_IGNORE;
          if (head->roles[i] == MS_FIELD_ROLE_EMAIL)
            email_column = i;
        }
      if (email_column < 0)
        {
          g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_NO_EMAIL_COLUMN,
                       _("The column chosen for the email address is not in the file."));
          return FALSE;
        }
    }
  else
    {
      guess_roles (head);
      for (guint i = 0; i < head->n_columns && email_column < 0; i++)
        if (head->roles[i] == MS_FIELD_ROLE_EMAIL)
          email_column = i;

      if (email_column < 0)
        {
          email_column = find_address_column (head);
          if (email_column < 0 && !need_email)
            return TRUE;
          if (email_column < 0)
            {
              g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_NO_EMAIL_COLUMN,
                           _("No column holds email addresses: name one “email”, "
                             "or choose it in the column mapping."));
              return FALSE;
            }
        }
    }

  /* A first row whose address cell is an address is data, not a header. */
  if (email_column < (int) head->header->n_fields &&
      cell_is_address (head->header->fields[email_column], head->header->lengths[email_column]))
    {
      make_headerless (head);
      if (options != NULL && options->roles != NULL)
        for (guint i = 0; i < head->n_columns; i++)
          head->roles[i] = i < options->n_roles ? options->roles[i] : MS_FIELD_ROLE_IGNORE;
    }
  head->roles[email_column] = MS_FIELD_ROLE_EMAIL;

  return TRUE;
}

/* Reading rows (the reading thread) */

static void
add_rejection (Importer   *imp,
               guint64     line,
               char       *reason)
{
  MsImportBatchRejection rejection = { line, reason };

  g_array_append_val (imp->batch->rejections, rejection);
}

/* Appends text and a NUL to the batch's text. */
static MsImportSpan
append_text (MsImportBatch *batch,
             const char    *text,
             gsize          length)
{
  MsImportSpan span = { (guint32) batch->text->len, (guint32) length };

  _ms_import_append (batch->text, text, length);
  _ms_import_append (batch->text, "", 1);
  return span;
}

/* The trimmed value of the column, or an empty span */
static MsImportSpan
take_value (Importer          *imp,
            const MsCsvRecord *record,
            int                column)
{
  MsImportSpan none = { 0, 0 };
  const char *value;
  gsize length;

  if (column < 0 || (guint) column >= record->n_fields)
    return none;

  value = record->fields[column];
  length = record->lengths[column];
  trim_span (&value, &length);
  if (length == 0)
    return none;

  return append_text (imp->batch, value, length);
}

/* The custom fields as a JSON object, written straight into the batch */
static MsImportSpan
take_fields_json (Importer          *imp,
                  const MsCsvRecord *record)
{
  GString *out = imp->batch->text;
  MsImportSpan span = { (guint32) out->len, 0 };
  guint n = MIN (record->n_fields, imp->n_columns);

  for (guint i = 0; i < n; i++)
    {
      const char *value;
      gsize length;

      if (imp->columns[i].role != MS_FIELD_ROLE_CUSTOM)
        continue;

      value = record->fields[i];
      length = record->lengths[i];
      trim_span (&value, &length);
      if (length == 0)
        continue;

      _ms_import_append (out, out->len == span.offset ? "{" : ",", 1);
      _ms_import_append (out, imp->columns[i].key_json, imp->columns[i].key_length);
      _ms_import_append (out, ":", 1);
      if (length == record->lengths[i])
        ms_json_append_string (out, value);
      else
        {
          g_autofree char *copy = g_strndup (value, length);

          ms_json_append_string (out, copy);
        }
    }
  if (out->len == span.offset)
    return span;

  _ms_import_append (out, "}", 1);
  span.length = (guint32) (out->len - span.offset);
  _ms_import_append (out, "", 1);
  return span;
}

static gboolean
has_extra_values (const MsCsvRecord *record,
                  guint              n_columns)
{
  for (guint i = n_columns; i < record->n_fields; i++)
    {
      const char *value = record->fields[i];
      gsize length = record->lengths[i];

      trim_span (&value, &length);
      if (length > 0)
        return TRUE;
    }

  return FALSE;
}

/* Rejects the record, or adds it to the batch. */
static void
import_record (Importer          *imp,
               const MsCsvRecord *record)
{
  g_autoptr(GError) address_error = NULL;
  MsImportBatch *batch = imp->batch;
  const char *cell;
  gsize cell_length;
  gsize start;
  MsImportRow row;

  if (record->status != MS_CSV_ROW_OK)
    {
      g_autofree char *free_me = NULL;
      const char *reason;

      reason = row_status_reason (record->status, ms_csv_reader_get_encoding (imp->reader),
                                  &free_me);
      add_rejection (imp, record->line, free_me != NULL ? g_steal_pointer (&free_me)
                                                        : g_strdup (reason));
      return;
    }
  if (record_is_blank (record))
    return;

  if (record->n_fields > imp->n_columns && has_extra_values (record, imp->n_columns))
    {
      add_rejection (imp, record->line,
                     g_strdup_printf (_("The row has %u fields, the header has %u"),
                                      record->n_fields, imp->n_columns));
      return;
    }

  cell = (guint) imp->email_column < record->n_fields ? record->fields[imp->email_column] : "";
  cell_length = (guint) imp->email_column < record->n_fields ? record->lengths[imp->email_column] : 0;
  trim_span (&cell, &cell_length);
  if (cell_length == 0)
    {
      add_rejection (imp, record->line, g_strdup (_("No email address")));
      return;
    }

  /* normalised straight into the batch; nothing is added on failure */
  start = batch->text->len;
  if (!ms_address_normalize_into (cell, cell_length, batch->text, &address_error))
    {
      g_autofree char *shown = g_strndup (cell, MIN (cell_length, 200));

      add_rejection (imp, record->line,
                     g_strdup_printf (_("Invalid email address “%s”: %s"), shown,
                                      address_error->message));
      return;
    }
  row.email.offset = (guint32) start;
  row.email.length = (guint32) (batch->text->len - start);
  _ms_import_append (batch->text, "", 1);

  row.name = take_value (imp, record, imp->name_column);
  row.first_name = take_value (imp, record, imp->first_column);
  row.last_name = take_value (imp, record, imp->last_column);
  row.fields = take_fields_json (imp, record);
  g_array_append_val (batch->rows, row);
}

static void
publish_position (Importer *imp)
{
  g_mutex_lock (&imp->lock);
  imp->live_rows = imp->rows_done;
  imp->live_bytes = ms_csv_reader_get_bytes_read (imp->reader);
  g_mutex_unlock (&imp->lock);
}

/* Hands the batch being filled over to the writing side. */
static void
close_batch (Importer *imp)
{
  MsImportBatch *batch = g_steal_pointer (&imp->batch);

  _ms_import_batch_sort (batch, &imp->spare_text, &imp->spare_rows);
  batch->rows_end = imp->rows_done;
  batch->bytes_end = ms_csv_reader_get_bytes_read (imp->reader);

  g_mutex_lock (&imp->lock);
  imp->live_rows = batch->rows_end;
  imp->live_bytes = batch->bytes_end;
  imp->n_closed++;
  g_mutex_unlock (&imp->lock);

  g_async_queue_push (imp->full, batch);
}

/* Waits for a batch to fill; FALSE if the writing side gave up meanwhile. */
static gboolean
open_batch (Importer *imp)
{
  imp->batch = g_async_queue_pop (imp->empty);
  _ms_import_batch_reset (imp->batch);
  return !g_atomic_int_get (&imp->stop);
}

/* FALSE when reading stops: the writing side gave up, or the import was
 * cancelled (then the batch says so). */
static gboolean
read_record (Importer          *imp,
             const MsCsvRecord *record)
{
  MsImportBatch *batch = imp->batch;

  if (g_atomic_int_get (&imp->stop))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (imp->cancellable, &batch->error))
    return FALSE;

  imp->any_data |= !record_is_blank (record);
  import_record (imp, record);
  imp->rows_done++;

  if (batch->rows->len >= BATCH_ROWS || batch->text->len >= BATCH_BYTES)
    {
      close_batch (imp);
      return open_batch (imp);
    }
  if ((imp->rows_done & 1023) == 0)
    publish_position (imp);

  return TRUE;
}

static gpointer
read_worker (gpointer data)
{
  Importer *imp = data;
  const MsCsvRecord *record;
  gboolean go_on;

  go_on = open_batch (imp);

  for (guint i = 0; go_on && i < imp->head->sample->len; i++)
    {
      SavedRecord *saved = g_ptr_array_index (imp->head->sample, i);
      MsCsvRecord view;

      saved_record_view (saved, &view);
      go_on = read_record (imp, &view);
    }

  while (go_on &&
         (record = ms_csv_reader_next (imp->reader, imp->cancellable, &imp->batch->error)) != NULL)
    go_on = read_record (imp, record);

  if (g_atomic_int_get (&imp->stop))
    {
      /* nobody waits for it: give it back to be freed */
      g_async_queue_push (imp->full, g_steal_pointer (&imp->batch));
      return NULL;
    }

  if (imp->batch->error == NULL && !imp->any_data)
    g_set_error (&imp->batch->error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_EMPTY,
                 _("The file has a header row but no contacts."));
  imp->batch->last = TRUE;
  close_batch (imp);
  return NULL;
}

/* Writing batches (the calling thread) */

static void
report_progress (Importer *imp,
                 guint64   bytes_done,
                 guint64   rows_done,
                 gboolean  force)
{
  gint64 now;

  if (imp->progress == NULL)
    return;

  now = g_get_monotonic_time ();
  if (!force && now - imp->last_progress < PROGRESS_INTERVAL)
    return;

  /* never backwards */
  imp->shown_bytes = MAX (imp->shown_bytes, bytes_done);
  imp->shown_rows = MAX (imp->shown_rows, rows_done);
  imp->last_progress = now;
  imp->progress (imp->shown_bytes, imp->bytes_total, imp->shown_rows, imp->user_data);
}

/* While the writing side waits: where reading is, unless a batch is ready
 * (its rows are reported once it is written). */
static void
report_reading_progress (Importer *imp)
{
  guint64 bytes, rows;
  gboolean waiting;

  g_mutex_lock (&imp->lock);
  bytes = imp->live_bytes;
  rows = imp->live_rows;
  waiting = imp->n_closed == imp->n_taken;
  g_mutex_unlock (&imp->lock);

  if (waiting)
    report_progress (imp, bytes, rows, FALSE);
}

/* Counts and reports the batch's rejected rows, in file order; FALSE (with
 * error set) when cancelled meanwhile. */
static gboolean
take_rejections (Importer       *imp,
                 MsImportBatch  *batch,
                 GError        **error)
{
  for (guint i = 0; i < batch->rejections->len; i++)
    {
      MsImportBatchRejection *rejection = &g_array_index (batch->rejections,
                                                          MsImportBatchRejection, i);
      MsImportRejection shown = { (guint) rejection->line, rejection->reason };

      if (g_cancellable_set_error_if_cancelled (imp->cancellable, error))
        return FALSE;

      imp->result->rejected++;
      if (imp->result->rejections->len < MS_IMPORT_MAX_KEPT)
        {
          MsImportRejection *kept = g_new (MsImportRejection, 1);

          kept->line = (guint) rejection->line;
          kept->reason = g_strdup (rejection->reason);
          g_ptr_array_add (imp->result->rejections, kept);
        }
      if (imp->reject != NULL)
        imp->reject (&shown, imp->user_data);
    }

  return TRUE;
}

static gboolean
write_one_batch (Importer       *imp,
                 MsImportBatch  *batch,
                 GError        **error)
{
  if (!take_rejections (imp, batch, error))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (imp->cancellable, error))
    return FALSE;
  if (batch->error != NULL)
    {
      /* the rows read before an error are not written, as after a cancel */
      g_propagate_error (error, g_error_copy (batch->error));
      return FALSE;
    }

  if (!_ms_import_write_batch (imp->store, batch, imp->checkpointer, imp->options->list_name,
                               &imp->list_id, imp->options->on_duplicate == MS_DUPLICATE_UPDATE,
                               &imp->counts, imp->cancellable, error))
    return FALSE;

  imp->committed_rejected = imp->result->rejected;
  imp->committed_kept = imp->result->rejections->len;
  return TRUE;
}

/* Writes the batches as they come until the last one. */
static gboolean
write_batches (Importer  *imp,
               GError   **error)
{
  for (;;)
    {
      MsImportBatch *batch;
      gboolean last;

      batch = g_async_queue_timeout_pop (imp->full, PROGRESS_INTERVAL);
      if (batch == NULL)
        {
          report_reading_progress (imp);
          continue;
        }
      imp->n_taken++;

      if (!write_one_batch (imp, batch, error))
        {
          /* the reading thread may wait for this batch: let it see the stop */
          g_atomic_int_set (&imp->stop, 1);
          g_async_queue_push (imp->empty, batch);
          return FALSE;
        }

      /* after every batch: a cancel from the callback then stops the import
       * before the next one (a batch takes longer than the interval) */
      last = batch->last;
      report_progress (imp, batch->bytes_end, batch->rows_end, TRUE);
      g_async_queue_push (imp->empty, batch);
      if (last)
        return TRUE;
    }
}

static void
setup_columns (Importer *imp,
               Head     *head)
{
  g_autoptr(GHashTable) used = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

  imp->n_columns = head->n_columns;
  imp->columns = g_new0 (Column, head->n_columns);
  imp->email_column = imp->name_column = imp->first_column = imp->last_column = -1;

  for (guint i = 0; i < head->n_columns; i++)
    {
      Column *column = &imp->columns[i];

      column->role = head->roles[i];
      switch (column->role)
        {
        case MS_FIELD_ROLE_EMAIL:
          imp->email_column = i;
          break;
        case MS_FIELD_ROLE_NAME:
          if (imp->name_column < 0)
            imp->name_column = i;
          break;
        case MS_FIELD_ROLE_FIRST_NAME:
          if (imp->first_column < 0)
            imp->first_column = i;
          break;
        case MS_FIELD_ROLE_LAST_NAME:
          if (imp->last_column < 0)
            imp->last_column = i;
          break;
        case MS_FIELD_ROLE_CUSTOM:
          {
            g_autofree char *base = NULL;
            g_autoptr(GString) key_json = g_string_new (NULL);
            char *key;

            if (head->header == NULL || head->titles[i][0] == '\0')
              base = g_strdup_printf ("column_%u", i + 1);
            else
              base = g_strdup (head->titles[i]);

            key = g_strdup (base);
            for (guint n = 2; g_hash_table_contains (used, key); n++)
              {
                g_free (key);
                key = g_strdup_printf ("%s_%u", base, n);
              }
            g_ptr_array_add (keys, key);
            g_hash_table_add (used, key);

            ms_json_append_string (key_json, key);
            column->key_length = key_json->len;
            column->key_json = g_string_free (g_steal_pointer (&key_json), FALSE);
          }
          break;
        case MS_FIELD_ROLE_IGNORE:
        default:
          break;
        }
    }
}

static void
free_batches (GAsyncQueue *queue)
{
  MsImportBatch *batch;

  while ((batch = g_async_queue_try_pop (queue)) != NULL)
    _ms_import_batch_free (batch);
}

static void
importer_clear (Importer *imp)
{
  for (guint i = 0; i < imp->n_columns; i++)
    g_free (imp->columns[i].key_json);
  g_clear_pointer (&imp->columns, g_free);
  if (imp->full != NULL)
    free_batches (imp->full);
  if (imp->empty != NULL)
    free_batches (imp->empty);
  g_clear_pointer (&imp->full, g_async_queue_unref);
  g_clear_pointer (&imp->empty, g_async_queue_unref);
  g_clear_pointer (&imp->batch, _ms_import_batch_free);
  if (imp->spare_text != NULL)
    g_string_free (g_steal_pointer (&imp->spare_text), TRUE);
  g_clear_pointer (&imp->spare_rows, g_array_unref);
  g_mutex_clear (&imp->lock);
  g_clear_pointer (&imp->result, ms_import_result_free);
}

/* What the committed batches did, for an import that failed */
static MsImportResult *
steal_partial_result (Importer *imp)
{
  MsImportResult *partial = g_steal_pointer (&imp->result);

  partial->imported = imp->counts.imported;
  partial->updated = imp->counts.updated;
  partial->skipped = imp->counts.skipped;
  partial->rejected = imp->committed_rejected;
  g_ptr_array_set_size (partial->rejections, imp->committed_kept);
  partial->list_id = imp->list_id;
  return partial;
}

/* Runs the reading thread and writes what it reads. */
static gboolean
import_rows (Importer      *imp,
             GError       **error)
{
  GThread *reader;
  gboolean ok;

  imp->full = g_async_queue_new ();
  imp->empty = g_async_queue_new ();
  imp->spare_text = g_string_sized_new (1024 * 1024);
  imp->spare_rows = g_array_sized_new (FALSE, FALSE, sizeof (MsImportRow), 1024);
  for (guint i = 0; i < N_BATCHES; i++)
    g_async_queue_push (imp->empty, _ms_import_batch_new ());

  imp->checkpointer = _ms_import_checkpointer_new (imp->store);
  reader = g_thread_new ("ms-import-read", read_worker, imp);
  ok = write_batches (imp, error);
  g_thread_join (reader);
  g_clear_pointer (&imp->checkpointer, _ms_import_checkpointer_free);

  return ok;
}

/* Public API */

const char *
ms_field_role_to_string (MsFieldRole role)
{
  switch (role)
    {
    case MS_FIELD_ROLE_IGNORE:
      return "ignore";
    case MS_FIELD_ROLE_EMAIL:
      return "email";
    case MS_FIELD_ROLE_NAME:
      return "name";
    case MS_FIELD_ROLE_FIRST_NAME:
      return "first_name";
    case MS_FIELD_ROLE_LAST_NAME:
      return "last_name";
    case MS_FIELD_ROLE_CUSTOM:
      return "custom";
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * ms_field_role_guess:
 * @column_title: a header cell
 *
 * What a column is, from its title: email, name, first or last name in
 * English, German, Russian, French or Spanish, ignoring case, spaces and
 * punctuation; "status" and "status_reason" (Mailshot's own export) are
 * ignored; anything else is a custom field.
 */
MsFieldRole
ms_field_role_guess (const char *column_title)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (column_title != NULL, MS_FIELD_ROLE_CUSTOM);

  key = normalize_title (column_title);
  for (gsize i = 0; i < G_N_ELEMENTS (known_titles); i++)
    if (strcmp (key, known_titles[i].key) == 0)
      return known_titles[i].role;

  return MS_FIELD_ROLE_CUSTOM;
}

/**
 * ms_csv_preview_load:
 * @file: a CSV file
 * @encoding: (nullable): an iconv name, or %NULL or "auto"
 * @delimiter: or 0 to detect
 * @max_rows: data rows to return
 *
 * Detects what the importer would detect and returns the first rows with
 * the suggested role of each column (none may be MS_FIELD_ROLE_EMAIL when no
 * column looks like addresses).  A file whose first row already holds an
 * address has no header row: its columns are called "Column 1", "Column 2"...
 *
 * Returns: (transfer full) (nullable): the preview, or %NULL with @error set
 */
MsCsvPreview *
ms_csv_preview_load (GFile         *file,
                     const char    *encoding,
                     gunichar       delimiter,
                     guint          max_rows,
                     GCancellable  *cancellable,
                     GError       **error)
{
  Head head;
  MsCsvPreview *preview;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (!head_read (&head, file, encoding, delimiter, NULL, MAX (max_rows, SAMPLE_ROWS), FALSE,
                  cancellable, error))
    {
      head_clear (&head);
      return NULL;
    }

  preview = g_new0 (MsCsvPreview, 1);
  preview->encoding = g_strdup (ms_csv_reader_get_encoding (head.reader));
  preview->had_bom = ms_csv_reader_get_had_bom (head.reader);
  preview->delimiter = ms_csv_reader_get_delimiter (head.reader);
  preview->n_columns = head.n_columns;
  preview->header = g_steal_pointer (&head.titles);
  preview->roles = g_steal_pointer (&head.roles);
  preview->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  for (guint i = 0; i < head.sample->len && preview->rows->len < max_rows; i++)
    {
      SavedRecord *saved = g_ptr_array_index (head.sample, i);

      if (saved->empty || saved->status != MS_CSV_ROW_OK)
        continue;
      g_ptr_array_add (preview->rows, g_strdupv (saved->fields));
    }

  head_clear (&head);
  return preview;
}

void
ms_csv_preview_free (MsCsvPreview *preview)
{
  if (preview == NULL)
    return;

  g_free (preview->encoding);
  g_strfreev (preview->header);
  g_free (preview->roles);
  g_clear_pointer (&preview->rows, g_ptr_array_unref);
  g_free (preview);
}

static void
rejection_free (gpointer data)
{
  MsImportRejection *rejection = data;

  g_free (rejection->reason);
  g_free (rejection);
}

/**
 * ms_import_csv_sync:
 * @store: the database
 * @file: a CSV file with a header row
 * @options: what to do
 * @progress: (nullable) (scope call): called after every batch and about ten
 *   times a second while one is read
 * @reject: (nullable) (scope call): called for every rejected row
 * @cancellable: (nullable): stops the import
 *
 * Imports the file in transactions of MS_IMPORT_BATCH_ROWS rows (each batch
 * is written in the order of the email index, which is much faster than file
 * order for large files; ids within a batch follow that order).  A second
 * thread reads and checks the rows of the next batch while one is written;
 * the callbacks run on the calling thread, and must not use @store.  Rows are
 * rejected (and
 * reported with their line and reason, the import goes on) for: a missing or
 * invalid address, more non-empty fields than the header has, a field over
 * 1 MiB, a quoted field never closed, or bytes the encoding cannot decode.
 * Blank lines and lines of only delimiters or spaces are skipped without a word; a row
 * with fewer fields than the header is fine (the missing values are empty).
 * The rejections of a batch are reported, in file order, just before the
 * batch is written.
 * Duplicates, within the file or with contacts already stored, follow
 * options->on_duplicate: UPDATE merges the non-empty values of the later row
 * into the contact (counted as updated), SKIP leaves the contact as it is
 * (counted as skipped).  With a list, every accepted row's contact becomes a
 * member, duplicates included.
 *
 * When @cancellable is cancelled the batch being written (or read) is rolled
 * back whole: batches already committed stay in the database, and the call
 * fails with G_IO_ERROR_CANCELLED.  A cancel from a callback stops the
 * import before the batch whose rejection or progress it was called for.
 *
 * Returns: (transfer full) (nullable): the counts, or %NULL with @error set
 */
MsImportResult *
ms_import_csv_sync (MsStore                *store,
                    GFile                  *file,
                    const MsImportOptions  *options,
                    MsImportProgressFunc    progress,
                    MsImportRejectFunc      reject,
                    gpointer                user_data,
                    GCancellable           *cancellable,
                    GError                **error)
{
  return ms_import_csv_sync_with_partial (store, file, options, progress, reject, user_data,
                                          NULL, cancellable, error);
}

/**
 * ms_import_csv_sync_with_partial:
 * @out_partial: (out) (optional) (transfer full) (nullable): on failure, what
 *   the committed batches did
 *
 * ms_import_csv_sync(), telling what an import that fails part way (a cancel
 * included) kept.  When the call fails after reading began, @out_partial gets
 * the counts of the batches that were committed before it stopped (maybe all
 * zero): imported, updated, skipped and rejected rows with their rejections,
 * and the list if it was created; the rest of the file was not imported.  It
 * is %NULL on success, or when the file could not be read far enough to start.
 *
 * Returns: (transfer full) (nullable): the counts, or %NULL with @error set
 */
MsImportResult *
ms_import_csv_sync_with_partial (MsStore                *store,
                                 GFile                  *file,
                                 const MsImportOptions  *options,
                                 MsImportProgressFunc    progress,
                                 MsImportRejectFunc      reject,
                                 gpointer                user_data,
                                 MsImportResult        **out_partial,
                                 GCancellable           *cancellable,
                                 GError                **error)
{
  static const MsImportOptions default_options = { NULL, NULL, 0, MS_DUPLICATE_UPDATE, NULL, 0 };
  g_autoptr(GFileInfo) info = NULL;
  MsImportResult *result;
  Importer imp = { 0, };
  Head head;
  gboolean ok;

  g_return_val_if_fail (MS_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (out_partial != NULL)
    *out_partial = NULL;
  if (options == NULL)
    options = &default_options;

  if (options->on_duplicate != MS_DUPLICATE_UPDATE && options->on_duplicate != MS_DUPLICATE_SKIP)
    {
      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_BAD_OPTION,
                   _("Unknown duplicate policy."));
      return NULL;
    }

  if (!head_read (&head, file, options->encoding, options->delimiter, options, SAMPLE_ROWS, TRUE,
                  cancellable, error))
    {
      head_clear (&head);
      return NULL;
    }

  imp.store = store;
  imp.options = options;
  imp.cancellable = cancellable;
  imp.reader = head.reader;
  imp.head = &head;
  imp.progress = progress;
  imp.reject = reject;
  imp.user_data = user_data;
  g_mutex_init (&imp.lock);
  imp.result = g_new0 (MsImportResult, 1);
  imp.result->rejections = g_ptr_array_new_with_free_func (rejection_free);
  imp.result->encoding = g_strdup (ms_csv_reader_get_encoding (head.reader));
  imp.result->delimiter = ms_csv_reader_get_delimiter (head.reader);
  setup_columns (&imp, &head);

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            cancellable, NULL);
  if (info != NULL)
    imp.bytes_total = g_file_info_get_size (info);

  ms_store_set_bulk_mode (store, TRUE);
  report_progress (&imp, ms_csv_reader_get_bytes_read (head.reader), 0, TRUE);
  ok = import_rows (&imp, error);
  ms_store_set_bulk_mode (store, FALSE);

  head_clear (&head);
  imp.reader = NULL;
  imp.head = NULL;
  if (!ok)
    {
      if (out_partial != NULL)
        *out_partial = steal_partial_result (&imp);
      importer_clear (&imp);
      return NULL;
    }

  result = g_steal_pointer (&imp.result);
  result->imported = imp.counts.imported;
  result->updated = imp.counts.updated;
  result->skipped = imp.counts.skipped;
  result->list_id = imp.list_id;
  importer_clear (&imp);
  return result;
}


void
ms_import_result_free (MsImportResult *result)
{
  if (result == NULL)
    return;

  g_clear_pointer (&result->rejections, g_ptr_array_unref);
  g_free (result->encoding);
  g_free (result);
}
