import { Anchor, Blockquote, Box, Button, Code, Divider, List, Table, Text, Title } from "@mantine/core";
import { Fragment, type ReactNode, useMemo, useState } from "react";

import { type Block, type Inline, parseMarkdown } from "./markdown";

function inlines(nodes: Inline[]): ReactNode {
  return nodes.map((n, i) => {
    switch (n.t) {
      case "text":
        return <Fragment key={i}>{n.v}</Fragment>;
      case "code":
        return <Code key={i}>{n.v}</Code>;
      case "strong":
        return <strong key={i}>{inlines(n.c)}</strong>;
      case "em":
        return <em key={i}>{inlines(n.c)}</em>;
      case "del":
        return <del key={i}>{inlines(n.c)}</del>;
      case "br":
        return <br key={i} />;
      case "link":
        return n.href === null ? (
          <Fragment key={i}>{inlines(n.c)}</Fragment>
        ) : (
          <Anchor key={i} href={n.href} target="_blank" rel="noopener noreferrer nofollow">
            {inlines(n.c)}
          </Anchor>
        );
    }
  });
}

function blocks(nodes: Block[]): ReactNode {
  return nodes.map((b, i) => {
    switch (b.t) {
      case "heading":
        return (
          <Title key={i} order={Math.min(6, Math.max(1, b.level)) as 1 | 2 | 3 | 4 | 5 | 6} mt="sm" mb={4}>
            {inlines(b.c)}
          </Title>
        );
      case "para":
        return (
          <Text key={i} my={6}>
            {inlines(b.c)}
          </Text>
        );
      case "code":
        return (
          <Code key={i} block my={6} data-lang={b.lang || undefined}>
            {b.v}
          </Code>
        );
      case "quote":
        return (
          <Blockquote key={i} my={6} p="xs">
            {blocks(b.c)}
          </Blockquote>
        );
      case "hr":
        return <Divider key={i} my="sm" />;
      case "list":
        return (
          <List key={i} type={b.ordered ? "ordered" : "unordered"} start={b.ordered ? b.start : undefined} my={6} withPadding>
            {b.items.map((item, j) => (
              // a one-paragraph item is a tight list entry: no paragraph margins
              <List.Item key={j}>{item.length === 1 && item[0]?.t === "para" ? inlines(item[0].c) : blocks(item)}</List.Item>
            ))}
          </List>
        );
      case "table":
        return (
          <Table key={i} my={6} withTableBorder withColumnBorders striped fz="sm" w="auto">
            <Table.Thead>
              <Table.Tr>
                {b.header.map((h, j) => (
                  <Table.Th key={j} style={{ textAlign: b.align[j] ?? undefined }}>
                    {inlines(h)}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {b.rows.map((r, k) => (
                <Table.Tr key={k}>
                  {b.header.map((_, j) => (
                    <Table.Td key={j} style={{ textAlign: b.align[j] ?? undefined }}>
                      {inlines(r[j] ?? [])}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        );
    }
  });
}

const BLOCKS_PER_STEP = 400;

/** A Markdown document as React elements (never as HTML); a long one a few hundred blocks at a time. */
export function Markdown({ source }: { source: string }) {
  const tree = useMemo(() => parseMarkdown(source), [source]);
  const [shown, setShown] = useState(BLOCKS_PER_STEP);
  return (
    <Box fz="sm">
      {blocks(tree.slice(0, shown))}
      {tree.length > shown ? (
        <Button size="compact-xs" variant="default" mt="xs" onClick={() => setShown((n) => n + BLOCKS_PER_STEP * 5)}>
          Show more ({(tree.length - shown).toLocaleString("en-US")} blocks left)
        </Button>
      ) : null}
    </Box>
  );
}
