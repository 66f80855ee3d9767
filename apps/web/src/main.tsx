import '@mantine/core/styles.css';
import { createTheme, type CSSVariablesResolver, darken, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { ApiProblem } from './api/client';
import { App } from './App';

// The server puts a fresh nonce in this meta tag for each page load; Mantine puts it on the <style> elements it
// writes (its CSS variables), which the Content-Security-Policy allows by that nonce only.
const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? '';

// Shade 8 of indigo: white on it passes WCAG AA contrast (4.5:1); the default shade 6 does not (4.3:1).
const theme = createTheme({ primaryColor: 'indigo', primaryShade: 8, defaultRadius: 'sm' });

// Descriptions, placeholders and error text in darker shades than Mantine's defaults, which axe reports as too
// little contrast on white (serious). Set here: Mantine's own :root variables win over a stylesheet. The text of
// every "light" variant (alerts, badges) too: even shade 9 of yellow, green and orange fails AA on their pale
// backgrounds, so it is darkened.
const resolver: CSSVariablesResolver = (t) => ({
  variables: {},
  dark: {},
  light: {
    '--mantine-color-dimmed': t.colors.gray[7],
    '--mantine-color-placeholder': t.colors.gray[7],
    '--mantine-color-error': t.colors.red[9],
    ...Object.fromEntries(
      Object.keys(t.colors).map((color) => [`--mantine-color-${color}-light-color`, darken(t.colors[color][9], 0.3)]),
    ),
  },
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A client error (4xx) will not go away by asking again.
      retry: (count, error) => !(error instanceof ApiProblem && error.problem.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider
      theme={theme}
      cssVariablesResolver={resolver}
      defaultColorScheme="light"
      getStyleNonce={() => nonce}
    >
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
