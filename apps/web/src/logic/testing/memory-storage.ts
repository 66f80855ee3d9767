// A complete in-memory implementation of the Web Storage interface (length, key, getItem, setItem,
// removeItem, clear), for tests outside a browser.
import type { DraftStorage } from '../drafts.js';

export class MemoryStorage implements DraftStorage {
  private readonly items = new Map<string, string>();

  get length(): number {
    return this.items.size;
  }

  clear(): void {
    this.items.clear();
  }

  getItem(key: string): string | null {
    return this.items.get(String(key)) ?? null;
  }

  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }

  removeItem(key: string): void {
    this.items.delete(String(key));
  }

  setItem(key: string, value: string): void {
    this.items.set(String(key), String(value));
  }
}
