/* ms-bounce-reports.c
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

/* Reports that are not delivery failures, or not RFC 3464: ARF feedback
 * reports (RFC 5965) and Amazon SES notifications (JSON). */

#define G_LOG_DOMAIN "ms-bounce"

#include "config.h"

#include <string.h>

#include "ms-bounce-private.h"

#define MAX_JSON_DEPTH   32
#define MAX_JSON_NODES   20000

/* Feedback reports (ARF, RFC 5965) */

void
ms_bounce_read_feedback (const MsBounceInput *input,
                         GPtrArray           *records,
                         char               **out_feedback_type)
{
  g_autoptr(GPtrArray) fields = ms_bounce_parse_fields (input->feedback->str, input->feedback->len);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *type = ms_bounce_fields_get (fields, "feedback-type");
  static const char *const names[] = { "original-rcpt-to", "removal-recipient" };

  if (type != NULL)
    *out_feedback_type = g_strstrip (g_ascii_strdown (type, -1));

  for (guint n = 0; n < G_N_ELEMENTS (names) && records->len == 0; n++)
    {
      for (guint i = 0; i < fields->len; i++)
        {
          MsBounceField *field = g_ptr_array_index (fields, i);
          char *address;
          MsBounceRecord *record;

          if (field->name == NULL || !g_str_equal (field->name, names[n]))
            continue;
          address = ms_bounce_extract_address (field->value);
          if (address == NULL || g_hash_table_contains (seen, address))
            {
              g_free (address);
              continue;
            }
          g_hash_table_add (seen, g_strdup (address));
          record = ms_bounce_record_new ();
          record->address = address;
          record->reason = "feedback";
          g_ptr_array_add (records, record);
        }
    }
  if (records->len == 0)
    {
      g_autofree char *to = ms_bounce_header_in_text (input->original->str, "To");
      char *address = ms_bounce_extract_address (to);

      if (address == NULL && input->from != NULL && type != NULL
          && g_ascii_strncasecmp (type, "opt-out", 7) == 0)
        address = g_strdup (input->from);
      if (address != NULL)
        {
          MsBounceRecord *record = ms_bounce_record_new ();

          record->address = address;
          record->reason = "feedback";
          g_ptr_array_add (records, record);
        }
    }
}

/* Amazon SES notifications: a small JSON reader */

typedef struct JsonValue JsonValue;

struct JsonValue
{
  char       type;      /* 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null */
  char      *text;      /* strings and numbers */
  GPtrArray *keys;      /* objects: char* */
  GPtrArray *items;     /* objects and arrays: JsonValue* */
};

typedef struct
{
  const char *p;
  const char *end;
  guint       nodes;
} JsonReader;

static void
json_value_free (gpointer data)
{
  JsonValue *value = data;

  if (value == NULL)
    return;
  g_free (value->text);
  if (value->keys != NULL)
    g_ptr_array_unref (value->keys);
  if (value->items != NULL)
    g_ptr_array_unref (value->items);
  g_free (value);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JsonValue, json_value_free)

static void
json_skip_space (JsonReader *r)
{
  while (r->p < r->end && g_ascii_isspace (*r->p))
    r->p++;
}

static char *
json_read_string (JsonReader *r)
{
  GString *out = g_string_new (NULL);

  r->p++;   /* the opening quote */
  while (r->p < r->end && *r->p != '"')
    {
      if (*r->p == '\\' && r->p + 1 < r->end)
        {
          char c = r->p[1];

          r->p += 2;
          switch (c)
            {
            case 'n': g_string_append_c (out, '\n'); break;
            case 't': g_string_append_c (out, '\t'); break;
            case 'r': g_string_append_c (out, '\r'); break;
            case 'b': case 'f': g_string_append_c (out, ' '); break;
            case 'u':
              if (r->end - r->p >= 4)
                {
                  char hex[5] = { r->p[0], r->p[1], r->p[2], r->p[3], '\0' };
                  gunichar u = (gunichar) g_ascii_strtoull (hex, NULL, 16);

                  if (u == 0 || (u >= 0xd800 && u <= 0xdfff))
                    u = 0xfffd;
                  g_string_append_unichar (out, u);
                  r->p += 4;
                }
              break;
            default: g_string_append_c (out, c); break;
            }
        }
      else
        g_string_append_c (out, *r->p++);
    }
  if (r->p >= r->end)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  r->p++;
  return g_string_free (out, FALSE);
}

static JsonValue *json_read (JsonReader *r,
                             guint       depth);

/* An object or an array; r->p is on its '{' or '['. */
static JsonValue *
json_read_container (JsonReader *r,
                     guint       depth)
{
  g_autoptr(JsonValue) value = g_new0 (JsonValue, 1);
  gboolean object = *r->p == '{';
  char close = object ? '}' : ']';

  value->type = object ? 'o' : 'a';
  value->items = g_ptr_array_new_with_free_func (json_value_free);
  if (object)
    value->keys = g_ptr_array_new_with_free_func (g_free);
  r->p++;
  json_skip_space (r);
  if (r->p < r->end && *r->p == close)
    {
      r->p++;
      return g_steal_pointer (&value);
    }
  for (;;)
    {
      JsonValue *item;

      json_skip_space (r);
      if (object)
        {
          char *key;

          if (r->p >= r->end || *r->p != '"' || (key = json_read_string (r)) == NULL)
            return NULL;
          g_ptr_array_add (value->keys, key);
          json_skip_space (r);
          if (r->p >= r->end || *r->p != ':')
            return NULL;
          r->p++;
        }
      if ((item = json_read (r, depth + 1)) == NULL)
        return NULL;
      g_ptr_array_add (value->items, item);
      json_skip_space (r);
      if (r->p < r->end && *r->p == ',')
        r->p++;
      else if (r->p < r->end && *r->p == close)
        {
          r->p++;
          return g_steal_pointer (&value);
        }
      else
        return NULL;
    }
}

static JsonValue *
json_read (JsonReader *r,
           guint       depth)
{
  g_autoptr(JsonValue) value = NULL;

  json_skip_space (r);
  if (r->p >= r->end || depth > MAX_JSON_DEPTH || ++r->nodes > MAX_JSON_NODES)
    return NULL;
  if (*r->p == '{' || *r->p == '[')
    return json_read_container (r, depth);
  value = g_new0 (JsonValue, 1);
  if (*r->p == '"')
    {
      value->type = 's';
      value->text = json_read_string (r);
      return value->text != NULL ? g_steal_pointer (&value) : NULL;
    }
  if (*r->p == '-' || g_ascii_isdigit (*r->p))
    {
      const char *start = r->p;

      while (r->p < r->end && (g_ascii_isdigit (*r->p) || strchr ("+-.eE", *r->p) != NULL))
        r->p++;
      value->type = 'n';
      value->text = g_strndup (start, r->p - start);
      return g_steal_pointer (&value);
    }
  if (r->end - r->p >= 4 && (strncmp (r->p, "true", 4) == 0 || strncmp (r->p, "null", 4) == 0))
    {
      value->type = r->p[0] == 't' ? 'b' : 'z';
      value->text = g_strdup (r->p[0] == 't' ? "true" : NULL);
      r->p += 4;
      return g_steal_pointer (&value);
    }
  if (r->end - r->p >= 5 && strncmp (r->p, "false", 5) == 0)
    {
      value->type = 'b';
      r->p += 5;
      return g_steal_pointer (&value);
    }
  return NULL;
}

static JsonValue *
json_get (JsonValue  *object,
          const char *key)
{
  if (object == NULL || object->type != 'o')
    return NULL;
  for (guint i = 0; i < object->keys->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (object->keys, i), key))
        return g_ptr_array_index (object->items, i);
    }
  return NULL;
}

static const char *
json_get_string (JsonValue  *object,
                 const char *key)
{
  JsonValue *value = json_get (object, key);

  return value != NULL && value->type == 's' ? value->text : NULL;
}

static JsonValue *
json_parse (const char *text,
            gsize       length)
{
  JsonReader r = { text, text + length, 0 };

  return json_read (&r, 0);
}

static void
ses_add (GPtrArray  *records,
         const char *address,
         const char *status,
         const char *action,
         const char *diagnostic,
         const char *reason)
{
  MsBounceRecord *record;
  char *clean = address != NULL ? ms_bounce_extract_address (address) : NULL;

  if (clean == NULL || records->len >= MS_BOUNCE_MAX_RECIPIENTS)
    {
      g_free (clean);
      return;
    }
  record = ms_bounce_record_new ();
  record->address = clean;
  record->status = status != NULL ? ms_bounce_status_value (status) : NULL;
  record->action = g_strdup (action);
  if (diagnostic != NULL)
    {
      record->diag_type = ms_bounce_field_type (diagnostic);
      record->diagnostic = ms_bounce_strip_type (diagnostic);
    }
  record->reason = reason;
  g_ptr_array_add (records, record);
}

/* The list @name of section @section, or NULL. */
static JsonValue *
json_get_list (JsonValue  *message,
               const char *section,
               const char *name)
{
  JsonValue *list = json_get (json_get (message, section), name);

  return list != NULL && list->type == 'a' ? list : NULL;
}

static void
ses_read_recipients (JsonValue    *message,
                     const char   *type,
                     GPtrArray    *records,
                     MsBounceKind *out_kind)
{
  JsonValue *list;

  if (g_ascii_strcasecmp (type, "Bounce") == 0)
    {
      list = json_get_list (message, "bounce", "bouncedRecipients");
      for (guint i = 0; list != NULL && i < list->items->len; i++)
        {
          JsonValue *item = g_ptr_array_index (list->items, i);

          ses_add (records, json_get_string (item, "emailAddress"), json_get_string (item, "status"),
                   json_get_string (item, "action"), json_get_string (item, "diagnosticCode"), NULL);
        }
      *out_kind = MS_BOUNCE_KIND_BOUNCE;
    }
  else if (g_ascii_strcasecmp (type, "Complaint") == 0)
    {
      list = json_get_list (message, "complaint", "complainedRecipients");
      for (guint i = 0; list != NULL && i < list->items->len; i++)
        {
          JsonValue *item = g_ptr_array_index (list->items, i);

          ses_add (records, json_get_string (item, "emailAddress"), NULL, NULL, NULL, "feedback");
        }
      *out_kind = MS_BOUNCE_KIND_COMPLAINT;
    }
  else
    {
      const char *response = json_get_string (json_get (message, "delivery"), "smtpResponse");

      list = json_get_list (message, "delivery", "recipients");
      for (guint i = 0; list != NULL && i < list->items->len; i++)
        {
          JsonValue *item = g_ptr_array_index (list->items, i);

          if (item->type == 's')
            ses_add (records, item->text, "2.6.0", "delivered", response, "delivered");
        }
      *out_kind = MS_BOUNCE_KIND_OTHER;
    }
}

/* The headers of the sent message that SES quotes ("mail": {"headers": [{"name",
 * "value"}]}), as header text, so that our own headers are found. */
static void
ses_read_headers (JsonValue *message,
                  GString   *out)
{
  JsonValue *headers = json_get (json_get (message, "mail"), "headers");

  for (guint i = 0; headers != NULL && headers->type == 'a' && i < headers->items->len; i++)
    {
      JsonValue *item = g_ptr_array_index (headers->items, i);
      const char *name = json_get_string (item, "name");
      const char *value = json_get_string (item, "value");

      if (name != NULL && value != NULL && out->len < MS_BOUNCE_MAX_TEXT
          && strpbrk (name, "\r\n:") == NULL)
        g_string_append_printf (out, "%s: %s\n", name, value);
    }
}

gboolean
ms_bounce_read_ses_json (MsBounceInput *input,
                         GPtrArray     *records,
                         MsBounceKind  *out_kind)
{
  g_autoptr(JsonValue) root = NULL;
  g_autoptr(JsonValue) inner = NULL;
  JsonValue *message;
  const char *brace = memchr (input->text->str, '{', MIN (input->text->len, 4096));
  const char *type;

  if (brace == NULL)
    return FALSE;
  for (const char *p = input->text->str; p < brace; p++)
    {
      if (!g_ascii_isspace (*p))
        return FALSE;
    }
  root = json_parse (brace, input->text->len - (brace - input->text->str));
  if (root == NULL || root->type != 'o')
    return FALSE;
  message = root;
  /* An SNS envelope holds the notification as a string. */
  if (json_get_string (root, "Message") != NULL)
    {
      const char *text = json_get_string (root, "Message");

      inner = json_parse (text, strlen (text));
      if (inner != NULL && inner->type == 'o')
        message = inner;
    }
  type = json_get_string (message, "notificationType");
  if (type == NULL)
    type = json_get_string (message, "eventType");
  if (type == NULL || (g_ascii_strcasecmp (type, "Bounce") != 0
                       && g_ascii_strcasecmp (type, "Complaint") != 0
                       && g_ascii_strcasecmp (type, "Delivery") != 0))
    return FALSE;
  ses_read_recipients (message, type, records, out_kind);
  if (input->original->len == 0)
    ses_read_headers (message, input->original);
  return TRUE;
}
