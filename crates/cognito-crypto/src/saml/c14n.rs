//! Exclusive XML Canonicalization 1.0 ([Exc-C14N]) of one element's subtree, over a
//! document parsed by `roxmltree`, as XML-DSig needs it for `SignedInfo` and for a
//! `Reference` to an element by its `ID`.
//!
//! The node-set is always a whole element with its descendants, less at most one
//! excluded subtree (the enveloped signature, XML-DSig Core 1.1 §6.6.4), and less
//! comments unless asked for. The rules are Canonical XML 1.0 §2 (escaping, attribute
//! and namespace order, empty elements written as start and end tags) with Exc-C14N's
//! §3 namespace rules: a namespace declaration is written where an element or one of
//! its attributes visibly uses its prefix, or where the prefix is in the
//! `InclusiveNamespaces PrefixList` and in scope, and only when the nearest output
//! ancestor has not already written the same binding. Attributes in the `xml`
//! namespace are not inherited from ancestors (Exc-C14N §3).
//!
//! `roxmltree` resolves names to namespace URIs; the prefixes as written are read back
//! from the input text at the node's position.
//!
//! [Exc-C14N]: https://www.w3.org/TR/xml-exc-c14n/

use roxmltree::{Node, NodeId, NodeType};

use super::SamlError;

/// What to canonicalize besides the element itself.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Options<'a> {
    /// Keep comment nodes (the `#WithComments` variant).
    pub with_comments: bool,
    /// The `InclusiveNamespaces PrefixList`, `#default` standing for the default
    /// namespace (Exc-C14N §3).
    pub inclusive_prefixes: &'a [&'a str],
    /// A subtree left out of the node-set: the enveloped signature.
    pub exclude: Option<NodeId>,
}

/// The canonical form of `element` and its descendants.
pub(crate) fn canonicalize<'a>(
    element: Node<'a, 'a>,
    options: &Options<'a>,
) -> Result<String, SamlError> {
    let mut out = String::new();
    // The namespace bindings written by open output ancestors, innermost last, with the
    // length of the list at each open element.
    let mut rendered: Vec<(&str, &str)> = Vec::new();
    let mut marks: Vec<usize> = Vec::new();
    let mut node = element;
    loop {
        let descend = match node.node_type() {
            NodeType::Element if Some(node.id()) != options.exclude => {
                marks.push(rendered.len());
                start_tag(node, options, &mut rendered, &mut out)?;
                true
            }
            NodeType::Text => {
                escape_text(node.text().unwrap_or_default(), &mut out);
                false
            }
            NodeType::Comment if options.with_comments => {
                out.push_str("<!--");
                out.push_str(node.text().unwrap_or_default());
                out.push_str("-->");
                false
            }
            NodeType::PI => {
                if let Some(pi) = node.pi() {
                    out.push_str("<?");
                    out.push_str(pi.target);
                    if let Some(value) = pi.value.filter(|value| !value.is_empty()) {
                        out.push(' ');
                        out.push_str(value);
                    }
                    out.push_str("?>");
                }
                false
            }
            _ => false,
        };
        if descend {
            if let Some(child) = node.first_child() {
                node = child;
                continue;
            }
            end_tag(node, &mut rendered, &mut marks, &mut out)?;
        }
        // Climb until a next sibling is found, closing the elements left.
        loop {
            if node == element {
                return Ok(out);
            }
            if let Some(next) = node.next_sibling() {
                node = next;
                break;
            }
            node = node
                .parent()
                .ok_or(SamlError::Xml("a node has no parent".into()))?;
            end_tag(node, &mut rendered, &mut marks, &mut out)?;
        }
    }
}

/// `<qname`, the namespace declarations to write, the attributes, `>`.
fn start_tag<'a>(
    node: Node<'a, 'a>,
    options: &Options<'a>,
    rendered: &mut Vec<(&'a str, &'a str)>,
    out: &mut String,
) -> Result<(), SamlError> {
    let qname = element_qname(node)?;
    out.push('<');
    out.push_str(qname);

    // Exc-C14N §3: the prefixes visibly utilized (the element's own, and those of its
    // attributes; an unprefixed attribute is in no namespace), then the inclusive ones.
    let mut prefixes: Vec<&str> = vec![prefix_of(qname)];
    for attribute in node.attributes() {
        let prefix = prefix_of(attribute_qname(node, &attribute)?);
        if !prefix.is_empty() && prefix != "xml" {
            prefixes.push(prefix);
        }
    }
    prefixes.extend(options.inclusive_prefixes.iter().map(|prefix| {
        if *prefix == "#default" {
            ""
        } else {
            prefix
        }
    }));
    prefixes.sort_unstable();
    prefixes.dedup();

    // Canonical XML §2.2: namespace declarations in the order of their local names,
    // the default namespace (no local name) first; `prefixes` is in that order.
    for prefix in prefixes {
        let Some(uri) = in_scope(node, prefix) else {
            continue;
        };
        let written = rendered
            .iter()
            .rev()
            .find(|(p, _)| *p == prefix)
            .map(|(_, uri)| *uri);
        // An empty default namespace needs writing only to undo a non-empty one above.
        if written.unwrap_or_default() == uri && (written.is_some() || prefix.is_empty()) {
            continue;
        }
        rendered.push((prefix, uri));
        if prefix.is_empty() {
            out.push_str(" xmlns=\"");
        } else {
            out.push_str(" xmlns:");
            out.push_str(prefix);
            out.push_str("=\"");
        }
        escape_attribute(uri, out);
        out.push('"');
    }

    // Canonical XML §2.2: attributes by namespace URI, then local name; those in no
    // namespace first.
    let mut attributes: Vec<_> = node.attributes().collect();
    attributes.sort_by(|a, b| {
        (a.namespace().unwrap_or_default(), a.name())
            .cmp(&(b.namespace().unwrap_or_default(), b.name()))
    });
    for attribute in attributes {
        out.push(' ');
        out.push_str(attribute_qname(node, &attribute)?);
        out.push_str("=\"");
        escape_attribute(attribute.value(), out);
        out.push('"');
    }
    out.push('>');
    Ok(())
}

/// `</qname>`, forgetting the declarations the element wrote.
fn end_tag(
    node: Node<'_, '_>,
    rendered: &mut Vec<(&str, &str)>,
    marks: &mut Vec<usize>,
    out: &mut String,
) -> Result<(), SamlError> {
    out.push_str("</");
    out.push_str(element_qname(node)?);
    out.push('>');
    rendered.truncate(marks.pop().unwrap_or_default());
    Ok(())
}

/// The namespace a prefix is bound to on this element (`""` for the default namespace
/// when there is none), or `None` when a non-empty prefix is unbound.
fn in_scope<'a>(node: Node<'a, '_>, prefix: &str) -> Option<&'a str> {
    if prefix.is_empty() {
        Some(node.default_namespace().unwrap_or_default())
    } else if prefix == "xml" {
        // The `xml` prefix is bound by definition and never declared (Canonical XML §2.3).
        None
    } else {
        node.lookup_namespace_uri(Some(prefix))
    }
}

/// The part of a qualified name before its colon, or `""`.
fn prefix_of(qname: &str) -> &str {
    qname.split_once(':').map_or("", |(prefix, _)| prefix)
}

/// The element's name as written, read back from the input after its `<`.
pub(crate) fn element_qname<'a>(node: Node<'_, 'a>) -> Result<&'a str, SamlError> {
    let input = node.document().input_text();
    let start = node.range().start + 1;
    let rest = input.get(start..).unwrap_or_default();
    let end = rest
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .unwrap_or(rest.len());
    let qname = rest.get(..end).unwrap_or_default();
    checked_qname(qname, node.tag_name().name())
}

/// The attribute's name as written.
fn attribute_qname<'a>(
    node: Node<'_, 'a>,
    attribute: &roxmltree::Attribute<'_, 'a>,
) -> Result<&'a str, SamlError> {
    let qname = node
        .document()
        .input_text()
        .get(attribute.range_qname())
        .unwrap_or_default();
    checked_qname(qname, attribute.name())
}

/// A name read from the input must end with the local name the parser resolved.
fn checked_qname<'a>(qname: &'a str, local: &str) -> Result<&'a str, SamlError> {
    let matches = qname == local
        || qname
            .strip_suffix(local)
            .is_some_and(|prefix| prefix.ends_with(':') && prefix.len() > 1);
    if matches {
        Ok(qname)
    } else {
        Err(SamlError::Xml(format!(
            "the name of {local} could not be read"
        )))
    }
}

/// Canonical XML §2.3: text with `&`, `<`, `>` and carriage returns escaped; also how
/// requests escape their text.
pub(crate) fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

/// Canonical XML §2.3: attribute values with `&`, `<`, `"` and whitespace other than
/// spaces escaped; also how requests escape their attribute values.
pub(crate) fn escape_attribute(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}
