"""``{% extends %}`` that finds the root template's blocks once per compiled template, not on every page.

Django's ``ExtendsNode.render`` walks the whole node tree of the root template (base.html: the top bar, the
menus, the footer) for its ``{% block %}`` nodes each time a page is rendered: 3 % of a list page's processor
time (issue 21). The walk's answer depends only on the compiled template, which the cached loader keeps for
the life of the process, so it is kept beside it here (weakly: a template that is dropped takes its entry).
The tag is Django's in every other respect (the engine's ``builtins`` option puts it over Django's): the same
syntax, the same errors, the same output (``zhangwan/tests/test_extends.py``).
"""

import weakref

from django import template
from django.template.base import TextNode
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockContext, BlockNode, ExtendsNode, do_extends

_ROOT_BLOCKS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _root_blocks(compiled_parent) -> dict | None:
    """The parent's blocks by name if it is a root template (extends nothing), else None; as Django finds them."""
    try:
        return _ROOT_BLOCKS[compiled_parent]
    except KeyError:
        pass
    blocks = None
    for node in compiled_parent.nodelist:
        if not isinstance(node, TextNode):  # the extends tag has to be the first non-text node
            if not isinstance(node, ExtendsNode):
                blocks = {n.name: n for n in compiled_parent.nodelist.get_nodes_by_type(BlockNode)}
            break
    _ROOT_BLOCKS[compiled_parent] = blocks
    return blocks


class KeptBlocksExtendsNode(ExtendsNode):
    def render(self, context):
        compiled_parent = self.get_parent(context)
        if BLOCK_CONTEXT_KEY not in context.render_context:
            context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context = context.render_context[BLOCK_CONTEXT_KEY]
        block_context.add_blocks(self.blocks)
        blocks = _root_blocks(compiled_parent)
        if blocks is not None:
            block_context.add_blocks(blocks)
        with context.render_context.push_state(compiled_parent, isolated_context=False):
            return compiled_parent._render(context)  # noqa: SLF001 - as Django's ExtendsNode renders it


register = template.Library()  # a builtin of every template (settings.TEMPLATES)


@register.tag("extends")
def extends(parser, token):
    """Django's {% extends %} (same syntax, same errors), the root's blocks found once."""
    node = do_extends(parser, token)
    return KeptBlocksExtendsNode(node.nodelist, node.parent_name, node.template_dirs)
