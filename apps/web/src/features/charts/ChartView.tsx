// Draws a chart definition from libs/charts (@ilr/charts) in the page. vega-embed (with Vega and Vega-Lite) is
// imported when the first chart mounts, so only pages that draw charts load it. The figure is named by its
// caption; the figures themselves belong in a table beside the chart.
import { Alert, Box, Loader, Text, VisuallyHidden } from '@mantine/core';
import { useEffect, useId, useRef, useState } from 'react';
import type { TopLevelSpec } from 'vega-lite';
import { chartEmbedOptions } from '../../logic/chart-embed.js';

export interface ChartViewProps {
  // A spec from @ilr/charts (kaplanMeierSpec, funnelSpec, cusumSpec, outcomeRatesSpec, promMeansSpec).
  spec: TopLevelSpec;
  // The chart's accessible name, shown as its caption (hidden with hideCaption when a heading already says it).
  title: string;
  hideCaption?: boolean;
}

type Status = 'loading' | 'ready' | 'error';

export function ChartView({ spec, title, hideCaption = false }: ChartViewProps) {
  const container = useRef<HTMLDivElement>(null);
  const captionId = useId();
  const [status, setStatus] = useState<Status>('loading');

  useEffect(() => {
    let cancelled = false;
    let finalize: (() => void) | undefined;
    setStatus('loading');
    void (async () => {
      try {
        const [{ default: embed }, { expressionInterpreter }] = await Promise.all([
          import('vega-embed'),
          import('vega-interpreter'),
        ]);
        if (cancelled || !container.current) return;
        const result = await embed(container.current, spec, chartEmbedOptions(expressionInterpreter));
        if (cancelled) return result.finalize();
        // One image named by its title for assistive technology (Vega's SVG gives every mark a role of its own and
        // no name); the figures themselves are in the table beside it.
        container.current.setAttribute('role', 'img');
        container.current.setAttribute('aria-label', title);
        container.current.querySelector('svg')?.setAttribute('aria-hidden', 'true');
        finalize = result.finalize;
        setStatus('ready');
      } catch {
        if (!cancelled) setStatus('error');
      }
    })();
    return () => {
      cancelled = true;
      finalize?.();
    };
  }, [spec, title]);

  const caption = <figcaption id={captionId}>{title}</figcaption>;
  return (
    <Box component="figure" m={0} aria-labelledby={captionId} aria-busy={status === 'loading'}>
      {hideCaption ? (
        <VisuallyHidden>{caption}</VisuallyHidden>
      ) : (
        <Text component="div" fw={600} mb="xs">
          {caption}
        </Text>
      )}
      {status === 'loading' && <Loader size="sm" aria-label={`Drawing ${title}`} />}
      {status === 'error' && (
        <Alert color="red" title="The chart could not be drawn">
          The figures are in the table.
        </Alert>
      )}
      {/* Wider than a tablet's column, the chart scrolls sideways: focusable, so a keyboard can scroll it. */}
      <Box ref={container} maw="100%" style={{ overflowX: 'auto' }} tabIndex={0} data-chart-status={status} />
    </Box>
  );
}
